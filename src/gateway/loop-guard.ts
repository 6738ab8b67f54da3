import { createHash, createHmac, randomBytes, timingSafeEqual, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { NextHop } from '../delivery/next-hop.js';
import { processSettings } from '../config/environment.js';
import type { Envelope } from '../message/envelope.js';
import { contentOf } from '../smtp/spooled-message.js';

/**
 * Loop protection. Every message this gateway delivers carries a trace field on top that it can verify: an HMAC,
 * under a secret only the gateways share, over the time, the envelope (sender and sorted recipients) and a hash
 * of everything below the field: the whole message as this gateway received it. A message that comes back with
 * valid traces only has been scanned already, for these recipients, and is not scanned again; one that has passed
 * `MAX_PASSES` times is in a routing loop and is refused. A trace copied onto other recipients, another header or
 * another body does not verify, and an old one expires, so a trace cannot be used to skip scanning. Relays on the
 * way back add their fields above it (Received and the like, RFC 5321 §4.4), which it does not cover: a loop
 * through Exchange Online is still recognised.
 */
export const TRACE_HEADER = 'X-Hallmonitor-Trace';
export const MAX_PASSES = 3;
const MAX_AGE_SECONDS = 2 * 24 * 3600;
/** The trace headers this gateway adds sit at the top; looking further into a huge header is pointless. */
const MAX_HEADER_BYTES = 256 * 1024;
/** More trace fields than a loop is allowed makes no valid passage; only this many are hashed. */
const MAX_TRACE_FIELDS = MAX_PASSES + 1;
const TRACE_FIELD = new RegExp(`^${TRACE_HEADER}[ \\t]*:`, 'i');

export interface TraceFacts {
  /** Trace fields the message carries, valid or not. */
  readonly traces: number;
  /**
   * Valid, unexpired traces of this gateway (or of one sharing its secret) for this envelope and message; 0 when
   * any trace field fails, so a field that is not a valid trace cannot ride along uncovered and unscanned.
   */
  readonly passes: number;
  /**
   * A SHA-256 of the whole message, header and body: what tells one message from another (a client's retry
   * sends the same bytes), and what the trace this gateway adds vouches for.
   */
  readonly messageHash: string;
  /** The header section (at most its first 256 KiB) as latin1 text, for what else the gateway reads of it. */
  readonly header: string;
}

/** `message` is the spool file's path, or its bytes where they are in memory. */
export async function readTraceFacts(message: string | Buffer, envelope: Envelope, secret: Buffer, now: Date): Promise<TraceFacts> {
  const { traces, messageHash, header } = await hashMessage(Buffer.isBuffer(message) ? [message] : (createReadStream(message) as AsyncIterable<Buffer>));
  const valid = traces.length <= MAX_TRACE_FIELDS ? traces.filter((trace) => isValidTrace(trace.value, secret, envelope, trace.coveredHash, now)).length : 0;
  return { traces: traces.length, passes: valid === traces.length ? valid : 0, messageHash, header };
}

/** The header line to put on top of the bytes received (whose hash is `messageHash`), CRLF-terminated. */
export function traceHeaderLine(secret: Buffer, envelope: Envelope, messageHash: string, now: Date): Buffer {
  const time = Math.floor(now.getTime() / 1000);
  return Buffer.from(`${TRACE_HEADER}: v=2; t=${time}; mac=${mac(secret, time, envelope, messageHash)}\r\n`);
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

/** A trace field's value, unfolded, and the hash of everything below it: what it vouches for. */
interface TraceField {
  readonly value: string;
  readonly coveredHash: string;
}

interface OpenTrace {
  readonly value: string;
  readonly hash: Hash;
}

/**
 * In one pass: a SHA-256 of the whole message and, for each trace field in the header (there are none in mail
 * that has not been here before), one of everything below that field. The header is held (bounded) until its
 * end; the body streams into every hash.
 */
async function hashMessage(chunks: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<{ traces: TraceField[]; messageHash: string; header: string }> {
  const whole = createHash('sha256');
  let head = Buffer.alloc(0);
  let open: OpenTrace[] | undefined;
  let header = '';
  for await (const chunk of chunks) {
    whole.update(chunk);
    if (open) {
      for (const trace of open) trace.hash.update(chunk);
      continue;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end >= 0 || head.length > MAX_HEADER_BYTES) {
      // No gateway wrote a header this long: no trace is looked for past the limit.
      header = head.subarray(0, end >= 0 ? end : MAX_HEADER_BYTES).toString('latin1');
      open = openTraces(head, header);
    }
  }
  if (!open) {
    header = head.toString('latin1');
    open = openTraces(head, header);
  }
  return { traces: open.map((trace) => ({ value: trace.value, coveredHash: trace.hash.digest('base64url') })), messageHash: whole.digest('base64url'), header };
}

/** A hash for each trace field of `header`, already fed what of `head` lies below the field's last line. */
function openTraces(head: Buffer, header: string): OpenTrace[] {
  const traces: OpenTrace[] = [];
  let offset = 0;
  for (const field of header.split(/\r\n(?![ \t])/)) {
    const end = offset + field.length + 2;
    if (TRACE_FIELD.test(field) && traces.length < MAX_TRACE_FIELDS + 1) {
      const hash = createHash('sha256').update(head.subarray(Math.min(end, head.length)));
      traces.push({
        value: field
          .slice(field.indexOf(':') + 1)
          .replace(/\r\n[ \t]+/g, ' ')
          .trim(),
        hash,
      });
    }
    offset = end;
  }
  return traces;
}

/**
 * The next hop for mail the gateway writes or hands on itself (notices, alerts, digests, released messages): each
 * leaves with a trace of its own, so if a route brings it back it is passed, not scanned, held or alerted on again
 * (RFC 3834 §2: an automatic message must not start a loop of them).
 */
export function tracedNextHop(nextHop: NextHop, secret: Buffer, clock: () => Date = () => new Date()): NextHop {
  return {
    description: nextHop.description,
    probe: () => nextHop.probe(),
    close: () => nextHop.close(),
    async deliver(message, prepend) {
      if (prepend !== undefined) return nextHop.deliver(message, prepend);
      const now = clock();
      const { messageHash } = await readTraceFacts(contentOf(message), message.envelope, secret, now);
      return nextHop.deliver(message, traceHeaderLine(secret, message.envelope, messageHash, now));
    },
  };
}

/**
 * The secret shared by every gateway of a deployment: HALLMONITOR_TRACE_SECRET, or a key file made
 * once under DATA/keys with owner-only permissions.
 */
export async function loadTraceSecret(keyPath: string, fromEnvironment = processSettings().traceSecret): Promise<Buffer> {
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
