import { TextDecoder } from 'node:util';
import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';

/** Plain text files and other `text/*` types. */
export const extractText: Extractor = async (file, context) => textExtraction([decodeText(file.bytes, file.charset, context.limits.maxAttachmentTextChars)]);

const BYTE_ORDER_MARKS: readonly (readonly [readonly number[], string])[] = [
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0xff, 0xfe], 'utf-16le'],
  [[0xfe, 0xff], 'utf-16be'],
];

/** No character takes more than four bytes in any encoding read here. */
const MAX_BYTES_PER_CHAR = 4;

/**
 * Decodes text by its byte order mark, else its declared charset, else as UTF-8, falling back to
 * Windows-1252 (what Excel writes when it saves CSV on a UK PC) when the bytes are not UTF-8.
 * Returns at most `maxChars + 1` characters, so the caller can tell the text was cut, and decodes
 * only the bytes those can take, never a whole large file.
 */
export function decodeText(bytes: Uint8Array, charset: string | undefined, maxChars: number): string {
  const head = bytes.subarray(0, (maxChars + 1) * MAX_BYTES_PER_CHAR);
  const decode = (decoder: TextDecoder): string =>
    decoder.encoding === 'windows-1252' ? decodeWindows1252(head.subarray(0, maxChars + 1)) : decoder.decode(head, { stream: head.length < bytes.length }).slice(0, maxChars + 1);
  const marked = markedEncoding(bytes);
  if (marked) {
    return decode(new TextDecoder(marked));
  }
  const declared = charset ? decoderFor(charset) : undefined;
  if (declared) {
    return decode(declared);
  }
  try {
    return decode(new TextDecoder('utf-8', { fatal: true }));
  } catch {
    return decode(new TextDecoder('windows-1252'));
  }
}

function decoderFor(charset: string): TextDecoder | undefined {
  try {
    return new TextDecoder(charset);
  } catch {
    return undefined;
  }
}

/** Windows-1252's printable characters at 0x80-0x9F, where Latin-1 has control codes (WHATWG Encoding, index-windows-1252). */
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

/**
 * Windows-1252, which the WHATWG labels `iso-8859-1` and `us-ascii` also name. Node 20's
 * TextDecoder decodes it as Latin-1, so curly quotes and dashes would become control codes.
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (control) => WINDOWS_1252_HIGH[control.charCodeAt(0) - 0x80] ?? control);
}

/** How much of a file is looked at to decide whether it is text. */
const TEXT_SNIFF_BYTES = 8192;

/** Text has a byte order mark, or no NUL byte near its start (binary formats nearly always do). */
export function looksLikeText(bytes: Uint8Array): boolean {
  return markedEncoding(bytes) !== undefined || !bytes.subarray(0, TEXT_SNIFF_BYTES).includes(0);
}

function markedEncoding(bytes: Uint8Array): string | undefined {
  return BYTE_ORDER_MARKS.find(([mark]) => mark.every((byte, index) => bytes[index] === byte))?.[1];
}
