import { once } from 'node:events';
import { addAbortSignal } from 'node:stream';
import type { Readable } from 'node:stream';
import { MailParser } from 'mailparser';
import type { AddressObject, AttachmentStream, EmailAddress, Headers, HeaderValue, MessageText } from 'mailparser';
import { MessageReadError } from './errors.js';
import { bytesInWords } from './limits.js';
import type { MailAddress, MessageProblem, MessageView } from './message-view.js';
import { OUT_OF_TIME } from './read-budget.js';
import { repairTopLevelBoundary, REPAIR_WINDOW_BYTES } from './boundary-repair.js';
import { singlePartText, splitSinglePartCandidate } from './single-part-text.js';
import { decodeUndeclaredCharsets } from './undeclared-charset.js';

/** One attachment as MIME carries it, decoded from its transfer encoding. */
export interface MimeAttachment {
  readonly filename: string | undefined;
  /** Declared MIME type, lower case. */
  readonly contentType: string;
  readonly charset: string | undefined;
  /** IMAP-style part number, e.g. `1.2`; null for a message that is one part. */
  readonly partId: string | null;
  readonly bytes: Buffer;
  /** False when the message ended or broke off inside this attachment. */
  readonly complete: boolean;
}

/** The headers and bodies of one message; attachments went to the caller as they streamed past. */
export interface MimeMessage extends Pick<MessageView, 'messageId' | 'subject' | 'from' | 'to' | 'cc' | 'bcc'> {
  /** Every `text/plain` body part, joined. */
  readonly plainBody: string;
  /** Every `text/html` body part as HTML, joined. */
  readonly htmlBody: string;
  readonly problems: readonly MessageProblem[];
}

export interface MimeReadOptions {
  /** Bytes read from the source; the rest is discarded and a `too-large` problem recorded. */
  readonly maxBytes: number;
  /** MIME parts, multiparts included, before a `too-many-parts` problem stops the parse. */
  readonly maxParts: number;
  /** Aborts when the message's time is up: what was read is returned with a `timeout` problem. */
  readonly signal: AbortSignal;
  /** Told the message's addresses once its headers are read, before any attachment is handed over. */
  readonly onHeaders?: (addresses: MessageAddresses) => void;
}

/** The addresses in a message's headers. */
export type MessageAddresses = Pick<MessageView, 'from' | 'to' | 'cc' | 'bcc'>;

type AttachmentHandler = (attachment: MimeAttachment) => Promise<void>;

const PARSER_OPTIONS = {
  // HTML is converted once, by html-to-text.ts; the parser's own conversions would be wasted work.
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipImageLinks: true,
  skipTextLinks: true,
  checksumAlgo: false,
  // Attached messages come out whole, to be read by extract/eml.ts under the same limits and depth.
  ignoreEmbedded: true,
} as const;

/** Chunk size fed to the parser from a Buffer, so backpressure and deadlines apply to it too. */
const FEED_CHUNK_BYTES = 1024 * 1024;

/**
 * Streams a message through mailparser's `MailParser`. Each attachment is collected and handed to
 * `onAttachment` before the parser moves on, so one attachment at a time is held in memory.
 * Limits and parse faults become `problems`; only a failing source stream throws. A message given
 * whole that is one plain-text part has its body decoded directly (`single-part-text.ts`).
 */
export async function readMime(source: NodeJS.ReadableStream | Buffer, options: MimeReadOptions, onAttachment: AttachmentHandler): Promise<MimeMessage> {
  if (Buffer.isBuffer(source)) {
    const read = await readSinglePartText(source, options);
    if (read !== undefined) return read;
  }
  return (await parseMime(source, options, onAttachment)).message;
}

/**
 * The message read as mailparser would read it, when it is a single plain-text part: its header
 * block by mailparser alone, its body by `singlePartText`. Undefined when it is anything else, or
 * the header block gave mailparser a problem or an attachment (then the whole message goes to it).
 */
export async function readSinglePartText(source: Buffer, options: MimeReadOptions): Promise<MimeMessage | undefined> {
  const repairWindow = source.subarray(0, REPAIR_WINDOW_BYTES);
  if (source.length > options.maxBytes || repairTopLevelBoundary(repairWindow) !== repairWindow) return undefined;
  const split = splitSinglePartCandidate(source);
  if (split === undefined) return undefined;
  let attachments = 0;
  // The whole message needed no repair; its header block alone, with no delimiter lines after it, would look as if it did.
  const header = await parseMime(split.head, options, async () => void (attachments += 1), { repairHead: false });
  if (attachments > 0 || header.message.problems.length > 0 || header.headers === undefined) return undefined;
  const plainBody = singlePartText(header.headers, split.body);
  return plainBody === undefined ? undefined : { ...header.message, plainBody };
}

async function parseMime(
  source: NodeJS.ReadableStream | Buffer,
  options: MimeReadOptions,
  onAttachment: AttachmentHandler,
  { repairHead } = { repairHead: true },
): Promise<{ message: MimeMessage; headers: Headers | undefined }> {
  const parser = new MailParser({ ...PARSER_OPTIONS, maxChildNodes: options.maxParts });
  decodeUndeclaredCharsets(parser);
  const state: ParseState = {
    text: undefined,
    attachments: 0,
    handling: Promise.resolve(),
    handlerFailure: undefined,
    sourceFailure: undefined,
    problems: [],
  };
  // `failed` tells attachment reads and the feed to stop waiting; `finished` ends the parse either way.
  const failed = new AbortController();
  const finished = new Promise<void>((resolve) => {
    parser.once('end', resolve);
    failed.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const fail = (): void => failed.abort();

  parser.on('data', (data: AttachmentStream | MessageText) => {
    if (data.type === 'text') {
      state.text = data;
      return;
    }
    state.attachments += 1;
    state.handling = state.handling
      .then(() => handleAttachment(data, failed.signal, onAttachment))
      .catch((error: unknown) => {
        state.handlerFailure ??= error;
      });
  });
  // Kept for the parser's life: a stream that errors once may error again while it is torn down.
  parser.on('error', (error: Error) => {
    if (!failed.signal.aborted) {
      state.problems.push(parserProblem(error, options.maxParts));
    }
    fail();
  });
  parser.once('headers', () => options.onHeaders?.(addressesOf(parser)));
  options.signal.addEventListener('abort', fail, { once: true });
  feed(source, parser, options.maxBytes, failed.signal, repairHead, () => state.problems.push(tooLarge(options.maxBytes))).catch((error: unknown) => {
    state.sourceFailure = error;
    fail();
  });

  await finished;
  options.signal.removeEventListener('abort', fail);
  await state.handling;
  return { message: outcome(parser, state, options.signal, source), headers: parser.headers || undefined };
}

/** Throws for a failed source or handler; otherwise the message, noting a timeout if the parse did not end. */
function outcome(parser: MailParser, state: ParseState, deadline: AbortSignal, source: NodeJS.ReadableStream | Buffer): MimeMessage {
  if (state.sourceFailure !== undefined) {
    parser.destroy();
    throw new MessageReadError('source-failed', 'the message stream failed while it was being read', { cause: state.sourceFailure });
  }
  if (state.handlerFailure !== undefined) {
    throw state.handlerFailure;
  }
  if (deadline.aborted && !parser.readableEnded) {
    parser.destroy();
    state.problems.push(OUT_OF_TIME);
  }
  return messageOf(parser, state, Buffer.isBuffer(source) ? source : undefined);
}

interface ParseState {
  text: MessageText | undefined;
  attachments: number;
  /** The attachment being handled, chained so that the parse waits for the last one. */
  handling: Promise<void>;
  handlerFailure: unknown;
  sourceFailure: unknown;
  problems: MessageProblem[];
}

async function handleAttachment(attachment: AttachmentStream, failed: AbortSignal, onAttachment: AttachmentHandler): Promise<void> {
  try {
    const { bytes, complete } = await collect(attachment.content, failed);
    await onAttachment({
      filename: attachment.filename,
      contentType: declaredType(attachment.contentType),
      charset: charsetOf(attachment.headers.get('content-type')),
      partId: attachment.partId,
      bytes,
      complete,
    });
  } finally {
    attachment.release?.();
  }
}

/** Reads an attachment's content; if the parse fails first, keeps what arrived and says so. */
async function collect(content: Readable, failed: AbortSignal): Promise<{ bytes: Buffer; complete: boolean }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of addAbortSignal(failed, content) as AsyncIterable<Buffer>) {
      chunks.push(chunk);
    }
    return { bytes: Buffer.concat(chunks), complete: true };
  } catch {
    return { bytes: Buffer.concat(chunks), complete: false };
  }
}

/**
 * Writes the source into the parser, honouring its backpressure, and ends the parse at `maxBytes`
 * of the source: a repaired header may be longer than the one sent, and the growth is not the
 * sender's. The rest of a stream is still read and discarded, so a sender's connection never stalls on it.
 * `repairHead`: whether its head goes through `repairTopLevelBoundary` first.
 */
async function feed(source: NodeJS.ReadableStream | Buffer, parser: MailParser, maxBytes: number, failed: AbortSignal, repairHead: boolean, onTooLarge: () => void): Promise<void> {
  let room = maxBytes;
  let ended = false;
  const chunks = repairHead ? withRepairedHead(chunksOf(source), (growth) => (room += growth)) : chunksOf(source);
  for await (const chunk of chunks) {
    if (ended || failed.aborted) {
      continue;
    }
    if (chunk.length > room) {
      onTooLarge();
      parser.end(chunk.subarray(0, room));
      ended = true;
      continue;
    }
    room -= chunk.length;
    if (!parser.write(chunk)) {
      await once(parser, 'drain', { signal: failed }).catch(() => undefined);
    }
  }
  if (!ended && !failed.aborted) {
    parser.end();
  }
}

/**
 * The first `REPAIR_WINDOW_BYTES` are held back and repaired together (boundary-repair.ts), the rest
 * passed on as they come; `onGrowth` hears how many bytes the repair added (or took away).
 */
async function* withRepairedHead(chunks: AsyncIterable<Buffer>, onGrowth: (bytes: number) => void): AsyncGenerator<Buffer> {
  const head: Buffer[] = [];
  let held = 0;
  let released = false;
  for await (const chunk of chunks) {
    if (released) {
      yield chunk;
      continue;
    }
    head.push(chunk);
    held += chunk.length;
    if (held >= REPAIR_WINDOW_BYTES) {
      released = true;
      yield repaired(head, held, onGrowth);
    }
  }
  if (!released && held > 0) {
    yield repaired(head, held, onGrowth);
  }
}

function repaired(head: readonly Buffer[], held: number, onGrowth: (bytes: number) => void): Buffer {
  const bytes = repairTopLevelBoundary(Buffer.concat(head));
  onGrowth(bytes.length - held);
  return bytes;
}

async function* chunksOf(source: NodeJS.ReadableStream | Buffer): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(source)) {
    for (let offset = 0; offset < source.length; offset += FEED_CHUNK_BYTES) {
      yield source.subarray(offset, offset + FEED_CHUNK_BYTES);
    }
    return;
  }
  for await (const chunk of source) {
    yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  }
}

function tooLarge(maxBytes: number): MessageProblem {
  const size = bytesInWords(maxBytes);
  return { kind: 'too-large', detail: `the message is larger than ${size}; only its first ${size} were checked` };
}

/** mailsplit reports its size limits as EMAXLEN; anything else is a structure it could not follow. */
function parserProblem(error: Error & { code?: unknown }, maxParts: number): MessageProblem {
  if (error.code === 'EMAXLEN' && /child nodes/i.test(error.message)) {
    return { kind: 'too-many-parts', detail: `the message has more than ${maxParts} MIME parts; the parts after them were not read` };
  }
  if (error.code === 'EMAXLEN') {
    return { kind: 'malformed', detail: 'a MIME header block is too large; the rest of the message was not read' };
  }
  return { kind: 'malformed', detail: 'the MIME structure could not be followed; the rest of the message was not read' };
}

/**
 * `source`, when the message was given whole (an attached message), tells a multipart whose parts
 * are only empty (a returned message cut to its headers) from one whose parts were lost: its
 * delimiter lines are there and nothing but headers and blank lines stands between them.
 */
function messageOf(parser: MailParser, state: ParseState, source?: Buffer): MimeMessage {
  const plainBody = state.text?.text ?? '';
  const htmlBody = state.text?.html ?? '';
  const parsedToTheEnd = state.text !== undefined;
  // Parts found but blank (a returned message whose text was cut to line ends) are not missing: only no part at all is.
  if (parsedToTheEnd && isMultipart(parser) && state.attachments === 0 && plainBody === '' && htmlBody === '' && !onlyBlankParts(parser, source)) {
    state.problems.push({ kind: 'malformed', detail: 'the message says it has several parts but none was found (missing boundary)' });
  }
  return {
    messageId: parser.messageId,
    subject: parser.subject ?? '',
    ...addressesOf(parser),
    plainBody,
    htmlBody,
    problems: state.problems,
  };
}

function addressesOf(parser: MailParser): MessageAddresses {
  return { from: mailboxes(parser.from)[0], to: mailboxes(parser.to), cc: mailboxes(parser.cc), bcc: mailboxes(parser.bcc) };
}

/** True when `source` has the multipart's delimiter lines and every part between them is blank: nothing was lost. */
function onlyBlankParts(parser: MailParser, source: Buffer | undefined): boolean {
  const contentType = parser.headers ? parser.headers.get('content-type') : undefined;
  const boundary = isStructured(contentType) ? contentType.params.boundary : undefined;
  if (source === undefined || typeof boundary !== 'string' || boundary === '') return false;
  // A returned message cut inside its last part has no closing delimiter: that part runs to the end.
  const parts = source
    .toString('latin1')
    .split(`\n--${boundary}`)
    .slice(1)
    .filter((part) => !part.startsWith('--'));
  return (
    parts.length > 0 &&
    parts.every((part) => {
      const headerEnd = /\r?\n\r?\n/.exec(part);
      return headerEnd === null || part.slice(headerEnd.index).trim() === '';
    })
  );
}

function isMultipart(parser: MailParser): boolean {
  const contentType = parser.headers ? parser.headers.get('content-type') : undefined;
  return isStructured(contentType) && contentType.value.toLowerCase().startsWith('multipart/');
}

/** mailparser gives `false` for a part whose Content-Type has an empty type (`Content-Type: ; name="x.jpg"`). */
function declaredType(contentType: unknown): string {
  return typeof contentType === 'string' && contentType.trim() !== '' ? contentType.trim().toLowerCase() : 'application/octet-stream';
}

function charsetOf(contentType: HeaderValue | undefined): string | undefined {
  return isStructured(contentType) ? contentType.params['charset'] : undefined;
}

function isStructured(value: HeaderValue | undefined): value is { value: string; params: Record<string, string> } {
  return typeof value === 'object' && value !== null && 'value' in value && typeof value.value === 'string' && 'params' in value;
}

/** Every mailbox in an address header, members of groups included, lower-cased. */
function mailboxes(header: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const entries = [header ?? []].flat().flatMap((object) => object.value.flatMap(groupMembers));
  return entries.flatMap((entry) => (entry.address ? [{ address: entry.address.toLowerCase(), displayName: entry.name }] : []));
}

function groupMembers(entry: EmailAddress): EmailAddress[] {
  return entry.group ? entry.group.flatMap(groupMembers) : [entry];
}
