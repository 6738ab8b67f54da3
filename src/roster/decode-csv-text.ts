import { RosterError } from './roster-error.js';

const NOT_UTF8 = 'not UTF-8: save the export as CSV UTF-8';

/**
 * The text of a CSV export. UTF-8 (with or without a byte-order mark) is what Excel's
 * "CSV UTF-8" and the MIS exports write; UTF-16 is accepted only with its byte-order mark,
 * because without one it cannot be told from other encodings. Anything else — typically
 * Windows-1252 from Excel's plain "CSV" — is refused rather than guessed, since a wrongly
 * decoded "Zoë" would never match the name in a message.
 */
export function decodeCsvText(bytes: Uint8Array, file: string): string {
  const encoding = encodingFromBom(bytes);
  const text = decodeStrict(encoding, bytes, file);
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    // NUL characters mean UTF-16 without a byte-order mark, or a binary file.
    throw new RosterError(NOT_UTF8, { file, row: countLines(text.slice(0, nul)) });
  }
  return text;
}

type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

function encodingFromBom(bytes: Uint8Array): CsvEncoding {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

function decodeStrict(encoding: CsvEncoding, bytes: Uint8Array, file: string): string {
  try {
    // TextDecoder drops a leading byte-order mark by default.
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    const bad = firstBadByte(encoding, bytes);
    const before = new TextDecoder(encoding).decode(bytes.subarray(0, bad));
    const problem = encoding === 'utf-8' ? NOT_UTF8 : `not valid ${encoding.toUpperCase()}: save the export as CSV UTF-8`;
    throw new RosterError(problem, { file, row: countLines(before) });
  }
}

/**
 * Offset of the byte at which decoding first fails. Streaming decodes of growing prefixes
 * fail monotonically (an incomplete final sequence is not yet an error), so a binary search
 * finds it in O(n log n) without a hand-written decoder.
 */
function firstBadByte(encoding: CsvEncoding, bytes: Uint8Array): number {
  let good = 0;
  let bad = bytes.length;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (decodesAsPrefix(encoding, bytes.subarray(0, middle))) good = middle;
    else bad = middle;
  }
  return bad - 1;
}

function decodesAsPrefix(encoding: CsvEncoding, prefix: Uint8Array): boolean {
  try {
    new TextDecoder(encoding, { fatal: true }).decode(prefix, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** 1-based number of the line on which `textBefore` ends. */
function countLines(textBefore: string): number {
  let lines = 1;
  for (let at = textBefore.indexOf('\n'); at >= 0; at = textBefore.indexOf('\n', at + 1)) lines += 1;
  return lines;
}
