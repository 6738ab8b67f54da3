import { createHash, createHmac, randomBytes, timingSafeEqual, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Envelope } from '../message/envelope.js';

/**
 * Loop protection. Every message this gateway delivers carries a trace header it can verify: an HMAC, under a
 * secret only the gateways share, over the time, the envelope (sender and sorted recipients) and a hash of the
 * whole message without its trace fields (every other header field and the body). A message that comes back
 * with valid traces only has been scanned already, for these recipients, and is not scanned again; one that has
 * passed `MAX_PASSES` times is in a routing loop and is refused. A header copied onto other recipients, another
 * header or another body does not verify, and an old one expires, so a trace cannot be used to skip scanning.
 * A relay that adds header fields on the way back (Received, RFC 5321 §4.4) makes the trace fail as well: the
 * message is scanned again, which costs time and is never unsafe.
 */
export const TRACE_HEADER = 'X-Hallmonitor-Trace';
export const MAX_PASSES = 3;
const MAX_AGE_SECONDS = 2 * 24 * 3600;
/** The trace headers this gateway adds sit at the top; looking further into a huge header is pointless. */
const MAX_HEADER_BYTES = 256 * 1024;
const TRACE_FIELD_NAME = TRACE_HEADER.toLowerCase();

export interface TraceFacts {
  /** Trace fields the message carries, valid or not. */
  readonly traces: number;
  /**
   * Valid, unexpired traces of this gateway (or of one sharing its secret) for this envelope and message; 0 when
   * any trace field fails, so a field that is not a valid trace cannot ride along uncovered and unscanned.
   */
  readonly passes: number;
  /** A SHA-256 of the message without its trace fields: what a trace vouches for, with the envelope. */
  readonly coveredHash: string;
  /**
   * A SHA-256 of the whole message, header and body: what tells one message from another. A client's retry
   * sends the same bytes; two messages that differ only in their header (another Subject or Message-ID,
   * the same text) are two messages.
   */
  readonly messageHash: string;
}

/** `message` is the spool file's path, or its bytes where they are in memory. */
export async function readTraceFacts(message: string | Buffer, envelope: Envelope, secret: Buffer, now: Date): Promise<TraceFacts> {
  const { traceValues, coveredHash, messageHash } = await hashMessage(Buffer.isBuffer(message) ? [message] : (createReadStream(message) as AsyncIterable<Buffer>));
  const valid = traceValues.filter((value) => isValidTrace(value, secret, envelope, coveredHash, now)).length;
  return { traces: traceValues.length, passes: valid === traceValues.length ? valid : 0, coveredHash, messageHash };
}

/** The header line to put before the original bytes, CRLF-terminated. */
export function traceHeaderLine(secret: Buffer, envelope: Envelope, coveredHash: string, now: Date): Buffer {
  const time = Math.floor(now.getTime() / 1000);
  return Buffer.from(`${TRACE_HEADER}: v=2; t=${time}; mac=${mac(secret, time, envelope, coveredHash)}\r\n`);
}

function isValidTrace(value: string, secret: Buffer, envelope: Envelope, coveredHash: string, now: Date): boolean {
  const fields = /^v=2; t=(\d+); mac=([A-Za-z0-9_-]+)$/.exec(value);
  if (!fields) return false;
  const time = Number(fields[1]);
  const age = now.getTime() / 1000 - time;
  if (age < -300 || age > MAX_AGE_SECONDS) return false;
  const expected = Buffer.from(mac(secret, time, envelope, coveredHash));
  const given = Buffer.from(fields[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** JSON keeps the parts apart: no sender, recipient or hash can run into the next. */
function mac(secret: Buffer, time: number, envelope: Envelope, coveredHash: string): string {
  const recipients = envelope.rcptTo.map((recipient) => recipient.toLowerCase()).sort();
  const signed = JSON.stringify(['v=2', time, envelope.mailFrom.toLowerCase(), recipients, coveredHash]);
  return createHmac('sha256', secret).update(signed).digest('base64url');
}

/**
 * In one pass: the trace fields' values, a SHA-256 of the message without them, and one of the whole. The header
 * is held (bounded) until its end; the body streams into both hashes.
 */
async function hashMessage(chunks: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<{ traceValues: string[]; coveredHash: string; messageHash: string }> {
  const covered = createHash('sha256');
  const whole = createHash('sha256');
  let head = Buffer.alloc(0);
  let traceValues: string[] | undefined;
  for await (const chunk of chunks) {
    whole.update(chunk);
    if (traceValues) {
      covered.update(chunk);
      continue;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end >= 0) {
      traceValues = coverHeader(covered, head.subarray(0, end));
      covered.update(head.subarray(end));
    } else if (head.length > MAX_HEADER_BYTES) {
      // No gateway wrote a header this long: all of it is covered, and no trace in it is looked for.
      traceValues = [];
      covered.update(head);
    }
  }
  traceValues ??= coverHeader(covered, head);
  return { traceValues, coveredHash: covered.digest('base64url'), messageHash: whole.digest('base64url') };
}

/**
 * Hashes the header section without its trace fields, each field with its folded lines (RFC 5322 §2.2.3), and
 * returns their values unfolded. Removing the line this gateway put on top gives back the bytes it received.
 */
function coverHeader(hash: Hash, header: Buffer): string[] {
  const traceValues: string[] = [];
  const kept: string[] = [];
  for (const field of header.toString('latin1').split(/\r\n(?![ \t])/)) {
    const colon = field.indexOf(':');
    if (colon > 0 && field.slice(0, colon).trimEnd().toLowerCase() === TRACE_FIELD_NAME) traceValues.push(field.slice(colon + 1).replace(/\r\n[ \t]+/g, ' ').trim());
    else kept.push(field);
  }
  hash.update(Buffer.from(kept.join('\r\n'), 'latin1'));
  return traceValues;
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
