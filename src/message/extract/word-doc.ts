import WordExtractor from 'word-extractor';
import { decodeWindows1252 } from './text.js';

/**
 * The text of a Word document in a compound file: Word 97-2003 (MS-DOC) as word-extractor reads
 * it from its piece table (body, headers and footers, footnotes, endnotes, comments and text
 * boxes); Word 6.0/95, which word-extractor does not read, by its own layout (word6Text).
 */
export async function wordDocumentText(bytes: Buffer, wordDocument: Buffer): Promise<string> {
  if (isWord6(wordDocument)) {
    const text = word6Text(wordDocument);
    if (text === undefined) throw new Error('the Word 6.0/95 text range lies outside its stream');
    return text;
  }
  const document = await new WordExtractor().extract(bytes);
  return [
    document.getBody(),
    document.getHeaders({ includeFooters: true }),
    document.getFootnotes(),
    document.getEndnotes(),
    document.getAnnotations(),
    document.getTextboxes({ includeHeadersAndFooters: true, includeBody: true }),
  ].join('\n');
}

/** Word 6.0 writes nFib 101, Word 95 up to 105; Word 97 and later 193 or more (MS-DOC 2.5.2). */
const WORD_97_NFIB = 0x00c1;
const WORD_IDENT = 0xa5dc;

function isWord6(wordDocument: Buffer): boolean {
  return wordDocument.length >= 0x20 && wordDocument.readUInt16LE(0) === WORD_IDENT && wordDocument.readUInt16LE(2) < WORD_97_NFIB;
}

/**
 * Word 6.0/95 keeps all of a document's text (body, footnotes, headers, comments) as 8-bit
 * characters between the FIB's fcMin (offset 0x18) and fcMac (0x1C). A fast-saved file orders its
 * pieces differently and may keep deleted text there too: reading the whole range reads more, never less.
 * Undefined when the range does not fit the stream.
 */
function word6Text(wordDocument: Buffer): string | undefined {
  const start = wordDocument.readUInt32LE(0x18);
  const end = wordDocument.readUInt32LE(0x1c);
  if (start < 0x20 || end < start || end > wordDocument.length) return undefined;
  return decodeWindows1252(wordDocument.subarray(start, end)).replace(WORD_SPECIAL_CHARACTERS, (special) => WORD_SPECIAL_TEXT[special] ?? '');
}

/**
 * Word's special characters: paragraph, line, page and section breaks end a line; a table cell
 * mark (0x07) is a tab; a non-breaking hyphen (0x1E) is a hyphen. Field marks, pictures and note
 * references are dropped (a field's code stays, as its text).
 */
const WORD_SPECIAL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f]/g;
const WORD_SPECIAL_TEXT: Readonly<Record<string, string>> = { '\r': '\n', '\u000b': '\n', '\u000c': '\n', '\u0007': '\t', '\u001e': '-' };
