import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Loop protection. Every message this gateway delivers carries a trace header it can verify: an
 * HMAC, under a secret only the gateways share, over the time and a hash of the message body.
 * A message that comes back with a valid trace has been scanned already and is not scanned again;
 * one that has passed `MAX_PASSES` times is in a routing loop and is refused. A copied header does
 * not verify on another body, and an old one expires, so a trace cannot be used to skip scanning.
 */
export const TRACE_HEADER = 'X-Hallmonitor-Trace';
export const MAX_PASSES = 3;
const MAX_AGE_SECONDS = 2 * 24 * 3600;
/** The trace headers this gateway adds sit at the top; looking further into a huge header is pointless. */
const MAX_HEADER_BYTES = 256 * 1024;

export interface TraceFacts {
  /** Valid, unexpired traces of this gateway (or of one sharing its secret) on this body. */
  readonly passes: number;
  readonly bodyHash: string;
  /**
   * A SHA-256 of the whole message, header and body: what tells one message from another. A client's retry
   * sends the same bytes; two messages that differ only in their header (another Subject or Message-ID,
   * the same text) are two messages.
   */
  readonly messageHash: string;
  /** The header section (at most its first 256 KiB), folds undone, as latin1 text. */
  readonly header: string;
}

/** `message` is the spool file's path, or its bytes where they are in memory. */
export async function readTraceFacts(message: string | Buffer, secret: Buffer, now: Date): Promise<TraceFacts> {
  const { header, bodyHash, messageHash } = await splitAndHash(Buffer.isBuffer(message) ? [message] : (createReadStream(message) as AsyncIterable<Buffer>));
  const passes = [...header.matchAll(new RegExp(`^${TRACE_HEADER}:\\s*(.+)$`, 'gim'))].filter((match) =>
    isValidTrace(match[1]!.trim(), secret, bodyHash, now),
  ).length;
  return { passes, bodyHash, messageHash, header };
}

/** The header line to put before the original bytes, CRLF-terminated. */
export function traceHeaderLine(secret: Buffer, bodyHash: string, now: Date): Buffer {
  const time = Math.floor(now.getTime() / 1000);
  return Buffer.from(`${TRACE_HEADER}: v=1; t=${time}; mac=${mac(secret, time, bodyHash)}\r\n`);
}

function isValidTrace(value: string, secret: Buffer, bodyHash: string, now: Date): boolean {
  const fields = /^v=1; t=(\d+); mac=([A-Za-z0-9_-]+)$/.exec(value);
  if (!fields) return false;
  const time = Number(fields[1]);
  const age = now.getTime() / 1000 - time;
  if (age < -300 || age > MAX_AGE_SECONDS) return false;
  const expected = Buffer.from(mac(secret, time, bodyHash));
  const given = Buffer.from(fields[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function mac(secret: Buffer, time: number, bodyHash: string): string {
  return createHmac('sha256', secret).update(`v=1;t=${time};b=${bodyHash}`).digest('base64url');
}

/** The header section (bounded), a SHA-256 of everything after the blank line and one of the whole, in one pass. */
async function splitAndHash(chunks: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<{ header: string; bodyHash: string; messageHash: string }> {
  const hash = createHash('sha256');
  const whole = createHash('sha256');
  let head = Buffer.alloc(0);
  let inBody = false;
  for await (const chunk of chunks) {
    whole.update(chunk);
    if (inBody) {
      hash.update(chunk);
      continue;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end >= 0) {
      hash.update(head.subarray(end + 4));
      head = head.subarray(0, end);
      inBody = true;
    } else if (head.length > MAX_HEADER_BYTES) {
      hash.update(head);
      head = Buffer.alloc(0);
      inBody = true;
    }
  }
  return { header: head.subarray(0, MAX_HEADER_BYTES).toString('latin1').replace(/\r\n[ \t]+/g, ' '), bodyHash: hash.digest('base64url'), messageHash: whole.digest('base64url') };
}

/**
 * The secret shared by every gateway of a deployment: HALLMONITOR_TRACE_SECRET, or a key file made
 * once under DATA/keys with owner-only permissions.
 */
export async function loadTraceSecret(keyPath: string, fromEnvironment = process.env.HALLMONITOR_TRACE_SECRET): Promise<Buffer> {
  if (fromEnvironment) return Buffer.from(fromEnvironment, 'utf8');
  try {
    return await readFile(keyPath);
  } catch {
    await mkdir(dirname(keyPath), { recursive: true, mode: 0o700 });
    const secret = randomBytes(32);
    await writeFile(keyPath, secret, { mode: 0o600, flag: 'wx' }).catch(async () => undefined);
    return readFile(keyPath);
  }
}
