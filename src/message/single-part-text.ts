import { decode as decodeQuotedPrintable } from 'libqp';
import type { Headers } from 'mailparser';
import { decodeText } from './extract/text.js';

/**
 * Most outbound mail is one text/plain part in UTF-8 or ASCII, 7bit, 8bit or quoted-printable:
 * what Outlook, Exchange Online and most mail software send for a message written as plain text.
 * For it mailparser runs the body through a line splitter and a chain of streams, which costs more
 * than everything else in reading it; here the body is decoded directly, the same way mailparser
 * 3.14 and mailsplit 5.4 decode it (`libqp.decode` on the whole body, as their decoder does at its
 * end; the charset as `undeclared-charset.ts` and mailparser choose; line breaks made `\n`). The
 * header block is still read by mailparser, so subject, addresses and header problems are its own.
 * Anything else (another charset or encoding, flowed text, a disposition, a second Content-Type or
 * Content-Transfer-Encoding field, a header block that does not end) is left to mailparser whole.
 * `test/message/single-part-text.test.ts` holds the two readings equal over the labelled corpus
 * and edge cases.
 */

/** The header block, up to and with its empty line, and the body after it. */
export interface SplitMessage {
  readonly head: Buffer;
  readonly body: Buffer;
}

const CONTENT_TYPE_FIELD = /^content-type[ \t]*:/gim;
const TRANSFER_ENCODING_FIELD = /^content-transfer-encoding[ \t]*:/gim;
const DISPOSITION_FIELD = /^content-disposition[ \t]*:/im;

/**
 * The message split where mailsplit ends its header block (the first line that is only a line
 * break), when its fields may make it a single-part text message; undefined when they cannot.
 */
export function splitSinglePartCandidate(message: Buffer): SplitMessage | undefined {
  const bodyStart = headerBlockEnd(message);
  if (bodyStart === undefined) return undefined;
  const header = message.toString('latin1', 0, bodyStart);
  if ((header.match(CONTENT_TYPE_FIELD)?.length ?? 0) > 1 || (header.match(TRANSFER_ENCODING_FIELD)?.length ?? 0) > 1) return undefined;
  if (DISPOSITION_FIELD.test(header)) return undefined;
  return { head: message.subarray(0, bodyStart), body: message.subarray(bodyStart) };
}

/** Where the body starts: after the first line that is `\n` or `\r\n` alone. */
function headerBlockEnd(message: Buffer): number | undefined {
  for (let start = 0; start < message.length; ) {
    const end = message.indexOf(0x0a, start);
    if (end === -1) return undefined;
    const length = end + 1 - start;
    if (length === 1 || (length === 2 && message[start] === 0x0d)) return end + 1;
    start = end + 1;
  }
  return undefined;
}

/** Transfer encodings whose body decodes without mailsplit: the identity ones, and quoted-printable. */
const DIRECT_ENCODINGS = new Set(['', '7bit', '8bit', 'quoted-printable']);

/**
 * The text mailparser would give for `body` under `headers`, or undefined when the message is not
 * one this reads the same way.
 */
export function singlePartText(headers: Headers, body: Buffer): string | undefined {
  const contentType = headers.get('content-type');
  const type = contentType === undefined ? { value: 'text/plain', params: {} } : structured(contentType);
  if (type === undefined || type.value.toLowerCase() !== 'text/plain') return undefined;
  if (Object.keys(type.params).some((name) => name !== 'charset')) return undefined;
  const encoding = headers.get('content-transfer-encoding') ?? '';
  if (typeof encoding !== 'string' || !DIRECT_ENCODINGS.has(encoding.trim().toLowerCase())) return undefined;
  const bytes = encoding.trim().toLowerCase() === 'quoted-printable' ? decodeQuotedPrintable(body) : body;
  const text = decodedAs(charsetName(type.params['charset']), bytes);
  return text?.replace(/\r?\n/g, '\n');
}

/** A charset parameter as mailparser compares it: lower case, letters and digits. */
function charsetName(charset: string | undefined): string {
  return (charset ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * UTF-8 as declared; no charset or ASCII as `undeclared-charset.ts` decodes it (UTF-8 when valid,
 * else Windows-1252), passed through UTF-8 bytes as its decoder's output is. Others: undefined.
 */
function decodedAs(charset: string, bytes: Buffer): string | undefined {
  if (charset === 'utf8') return bytes.toString();
  if (charset === '' || charset === 'ascii' || charset === 'usascii') return Buffer.from(decodeText(bytes, undefined, bytes.length), 'utf8').toString();
  return undefined;
}

function structured(value: unknown): { value: string; params: Record<string, string> } | undefined {
  if (typeof value !== 'object' || value === null || !('value' in value) || !('params' in value)) return undefined;
  const { value: type, params } = value as { value: unknown; params: unknown };
  return typeof type === 'string' && typeof params === 'object' && params !== null ? { value: type, params: params as Record<string, string> } : undefined;
}
