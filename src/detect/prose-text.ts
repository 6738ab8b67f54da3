import type { MessageView, TextPiece } from '../message/message-view.js';

/**
 * What of a message's text the detectors read as prose. Decoded text can still hold things that
 * are not writing: binary bytes read as characters (audio, a mislabelled file), uuencoded or
 * base64 blocks pasted into a body, and mail headers quoted in a bounce or a forward, whose
 * timestamps, Message-IDs and anti-spam tokens look like identifiers and whose random letters
 * spell words ("wog" in audio bytes). None of it is about anyone, so none of it is scanned.
 */

/**
 * C0 controls other than tab, line feed, vertical tab, form feed and carriage return; DEL; C1
 * controls (Windows-1252 leaves five undefined); and U+FFFD, which a decoder writes for bytes
 * that are not text. Written text has almost none; binary read as text has one in every few.
 */
const BINARY_CHAR = /[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]/;
const BINARY_CHARS = new RegExp(BINARY_CHAR.source, 'g');

/** Above this share of binary characters a piece is data, not text: a few stray controls in a pasted document are not. */
const MAX_BINARY_SHARE = 0.02;

/**
 * Binary data has controls throughout, so a long text is judged by eight evenly spread samples of
 * 512 characters: any binary run of an eighth of the text or more is seen, in constant time.
 */
const SAMPLES = 8;
const SAMPLE_LENGTH = 512;

function sampled(text: string): string {
  if (text.length <= SAMPLES * SAMPLE_LENGTH) return text;
  const step = (text.length - SAMPLE_LENGTH) / (SAMPLES - 1);
  return Array.from({ length: SAMPLES }, (_, index) => text.substr(Math.round(index * step), SAMPLE_LENGTH)).join('');
}

/** True when the text reads as text: at most 2 % of its (sampled) characters are controls or replacement characters. */
export function isReadableText(text: string): boolean {
  const sample = sampled(text);
  if (!BINARY_CHAR.test(sample)) return true;
  const binary = sample.match(BINARY_CHARS)?.length ?? 0;
  return binary <= sample.length * MAX_BINARY_SHARE;
}

/**
 * Header fields written by mail software, not by a person (RFC 5322 trace and identification
 * fields, RFC 6376 DKIM, RFC 8617 ARC, RFC 2369 list fields, MIME fields, and every `X-` field).
 * From, To, Cc, Subject and Date stay: a forwarded message's people and subject are real text; so
 * do fields whose names are also everyday labels ("Action:", "Status:", "Sender:").
 */
const MACHINE_FIELD =
  /^(?:received|received-spf|return-path|delivered-to|message-id|in-reply-to|references|dkim-signature|domainkey-signature|authentication-results|arc-[a-z-]+|list-[a-z-]+|mime-version|content-[a-z-]+|thread-(?:index|topic)|x-[a-z0-9-]+|precedence|feedback-id|errors-to|resent-[a-z-]+|original-recipient|final-recipient|reporting-mta|remote-mta|diagnostic-code|arrival-date|last-attempt-date|original-envelope-id)$/;

/** A field name of up to 40 characters ending at the colon (RFC 5322 §2.2: printable, no spaces). */
const FIELD_NAME = /[A-Za-z][A-Za-z0-9-]{0,40}[ \t]*:/y;
const MAX_FIELD_NAME = 42;

/** A line of base64 (RFC 2045 §6.8): no spaces, only its alphabet, long enough that no word is one, with a digit. */
const BASE64_LINE = /(?=[^\s\d]*\d)[A-Za-z0-9+/]{40,}={0,2}[ \t\r]*(?:\n|$)/y;
/** A full uuencoded line: "M" (45 bytes), then 60 characters from space to backtick. */
const UUENCODE_LINE = /M[ -`]{60}[ \t\r]*(?:\n|$)/y;
const UUENCODE_BEGIN = /begin(?:-base64)? [0-7]{3,4} \S/y;
const UUENCODE_END = /(?:end|====)[ \t\r]*(?:\n|$)/y;
const ENCODED_LINE_LENGTH = 40;

type LineKind = 'prose' | 'field' | 'continuation' | 'encoded' | 'uuencode-begin';

function matchesAt(pattern: RegExp, text: string, start: number): boolean {
  pattern.lastIndex = start;
  return pattern.test(text);
}

/** What the line from `start` to `end` (its line feed or the text's end) is; most lines are prose after two or three character tests. */
function lineKind(text: string, start: number, end: number): LineKind {
  const first = text.charCodeAt(start);
  if (first === 0x20 || first === 0x09) return 'continuation';
  if (end - start >= ENCODED_LINE_LENGTH) {
    const space = text.indexOf(' ', start);
    const unbroken = space === -1 || space >= start + ENCODED_LINE_LENGTH;
    if (unbroken && (matchesAt(BASE64_LINE, text, start) || (first === 0x4d && matchesAt(UUENCODE_LINE, text, start)))) return 'encoded';
  }
  if (first === 0x62 && matchesAt(UUENCODE_BEGIN, text, start)) return 'uuencode-begin';
  const colon = text.indexOf(':', start);
  if (colon === -1 || colon >= end || colon - start > MAX_FIELD_NAME || !matchesAt(FIELD_NAME, text, start)) return 'prose';
  return MACHINE_FIELD.test(text.slice(start, colon).trimEnd().toLowerCase()) ? 'field' : 'prose';
}

/** Half-open ranges of `text` that are machine data: machine header fields with their folded lines, encoded blocks. */
export function machineDataRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  let inField = false;
  let inUuencode = false;
  for (let start = 0; start < text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    if (inUuencode) {
      inUuencode = !matchesAt(UUENCODE_END, text, start);
      ranges.push([start, end]);
    } else {
      const kind = lineKind(text, start, end);
      if (kind === 'field' || kind === 'encoded' || kind === 'uuencode-begin' || (kind === 'continuation' && inField)) {
        ranges.push([start, end]);
        inUuencode = kind === 'uuencode-begin';
        inField = kind === 'field' || kind === 'continuation';
      } else {
        inField = false;
      }
    }
    start = end + 1;
  }
  return ranges;
}

/** Spaces over each range, so that offsets into the text stay where they were. */
function blankOut(text: string, ranges: readonly [number, number][]): string {
  let blanked = '';
  let from = 0;
  for (const [start, end] of ranges) {
    blanked += text.slice(from, start) + ' '.repeat(end - start);
    from = end;
  }
  return blanked + text.slice(from);
}

/** The piece as prose, or undefined when it is not text at all. */
export function prosePiece(piece: TextPiece): TextPiece | undefined {
  if (!isReadableText(piece.text)) return undefined;
  const ranges = machineDataRanges(piece.text);
  return ranges.length === 0 ? piece : { ...piece, text: blankOut(piece.text, ranges) };
}

/** The view the detectors read: its pieces as prose, pieces that are not text left out. */
export function proseView(view: MessageView): MessageView {
  const pieces = view.pieces.map(prosePiece).filter((piece) => piece !== undefined);
  const unchanged = pieces.length === view.pieces.length && pieces.every((piece, index) => piece === view.pieces[index]);
  return unchanged ? view : { ...view, pieces };
}
