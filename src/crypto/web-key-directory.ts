import { createHash } from 'node:crypto';
import { request, type RequestOptions } from 'node:https';
import type { LookupFunction } from 'node:net';
import { readKeys, type PublicKey } from 'openpgp';

/**
 * Web Key Directory lookup (draft-koch-openpgp-webkey-service §3.1), off unless configured: asking a
 * recipient's domain for their key tells that domain the school is writing to them.
 */
export interface WkdOptions {
  /** Milliseconds allowed for each request; default 5000. */
  readonly timeoutMs?: number;
  /** Trusted CA certificates in PEM instead of Node's bundle (a private CA, or a test server). */
  readonly ca?: string | readonly string[];
  /** The HTTPS port; default 443. */
  readonly port?: number;
  /** Name resolution for the requests; default the system resolver. */
  readonly lookup?: LookupFunction;
}

const MAX_RESPONSE_BYTES = 256 * 1024;
const ZBASE32 = 'ybndrfg8ejkmcpqxot1uwisza345h769';

/**
 * The recipient's key from their domain's Web Key Directory, usable at `now` and bound to exactly
 * this address; undefined when there is none or the directory cannot be reached (the recipient then
 * gets a password envelope, which is just as encrypted). The advanced method first, then the direct one.
 */
export async function lookupWebKey(address: string, now: Date, options: WkdOptions = {}): Promise<PublicKey | undefined> {
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  const hash = wkdHash(local);
  const query = `?l=${encodeURIComponent(local)}`;
  const urls = [`https://openpgpkey.${domain}/.well-known/openpgpkey/${domain}/hu/${hash}${query}`, `https://${domain}/.well-known/openpgpkey/hu/${hash}${query}`];
  for (const url of urls) {
    const body = await fetchKeyFile(url, options).catch(() => undefined);
    const key = body ? await usableKeyIn(body, address.toLowerCase(), now) : undefined;
    if (key) return key;
  }
  return undefined;
}

/** z-base-32 of the SHA-1 of the lower-cased local part: the file name WKD keys are published under. */
export function wkdHash(localPart: string): string {
  const digest = createHash('sha1').update(localPart.toLowerCase(), 'utf8').digest();
  let bits = 0;
  let value = 0;
  let text = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += ZBASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return text;
}

async function usableKeyIn(body: Buffer, address: string, now: Date): Promise<PublicKey | undefined> {
  const keys = await readKeys({ binaryKeys: body }).catch(() => []);
  for (const key of keys) {
    // A directory may serve several keys; only one bound to this very address counts.
    if (!key.users.some((user) => user.userID?.email?.toLowerCase() === address)) continue;
    try {
      await key.getEncryptionKey(undefined, now);
      return key.toPublic();
    } catch {
      continue;
    }
  }
  return undefined;
}

function fetchKeyFile(url: string, options: WkdOptions): Promise<Buffer | undefined> {
  const requestOptions: RequestOptions = {
    method: 'GET',
    timeout: options.timeoutMs ?? 5000,
    ...(options.port ? { port: options.port } : {}),
    ...(options.ca ? { ca: typeof options.ca === 'string' ? options.ca : [...options.ca] } : {}),
    ...(options.lookup ? { lookup: options.lookup } : {}),
  };
  return new Promise((resolve, reject) => {
    const outgoing = request(url, requestOptions, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        resolve(undefined);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) outgoing.destroy(new Error('WKD response too large'));
        else chunks.push(chunk);
      });
      response.on('end', () => resolve(Buffer.concat(chunks)));
      response.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('WKD request timed out')));
    outgoing.on('error', reject);
    outgoing.end();
  });
}
