import { read } from 'cfb';
import type { CFB$Container } from 'cfb';
import type { AttachmentFact } from '../message-view.js';
import { MACROS, textExtraction } from './extractor.js';
import type { Extraction, Extractor } from './extractor.js';
import { readBiffSheets } from './excel-biff.js';
import { powerPointText } from './powerpoint-binary.js';
import type { BiffSheet } from './excel-biff.js';
import { publisherText } from './publisher.js';
import { wordDocumentText } from './word-doc.js';

/**
 * Office files in a Compound File Binary (OLE) container: Word, Excel and PowerPoint 97-2003,
 * and password-protected .docx/.xlsx/.pptx, which Office wraps in one (MS-OFFCRYPTO 2.1).
 * Encrypted ones are noted, as are macros; Word 97-2003 text (word-doc.ts), Excel 97-2003 cells
 * (excel-biff.ts), PowerPoint 97-2003 text (powerpoint-binary.ts) and Publisher text (publisher.ts) are read. An OLE object
 * (what Outlook puts in a rich-text message, in winmail.dat or a .msg) gives up what it wraps: a
 * packaged file (`\x01Ole10Native`) or a picture (`CONTENTS`) is scanned as a member of its own.
 */
export const extractCompoundFile: Extractor = async (file, context) => {
  const container = read(file.bytes, { type: 'buffer' });
  const encryption = encryptionOf(container);
  const macros = hasMacros(container) ? [MACROS] : [];
  if (encryption) {
    return textExtraction([], [{ kind: 'password-protected', detail: encryption }, ...macros]);
  }
  const workbook = stream(container, 'Workbook');
  if (workbook) {
    return workbookExtraction(readBiffSheets(workbook, context.limits.maxAttachmentTextChars), macros);
  }
  const slides = stream(container, 'PowerPoint Document');
  if (slides) {
    return textExtraction([powerPointText(slides, context.limits.maxAttachmentTextChars)], macros);
  }
  if (hasStream(container, 'WordDocument')) {
    // A damaged document still reports its macros.
    const text = await wordDocumentText(file.bytes).catch(() => undefined);
    return text === undefined ? textExtraction([], [DAMAGED_WORD, ...macros]) : textExtraction([text], macros);
  }
  const publication = publisherText(container, context.limits.maxAttachmentTextChars);
  if (publication !== undefined) {
    return textExtraction([publication], macros);
  }
  const wrapped = oleObjectContent(container);
  if (wrapped) {
    await context.scanMember({ ...wrapped, declaredType: 'application/octet-stream', charset: undefined });
    return textExtraction([], macros);
  }
  return textExtraction([], [unreadable(container), ...macros]);
};

/**
 * What an OLE object wraps (MS-OLEDS 2.3): the file in a packager object's `\x01Ole10Native`
 * stream (its size, then a label, the original path, a temporary path and the file's own size and
 * bytes), or else the object's native data; or the picture an object keeps in `CONTENTS`.
 */
function oleObjectContent(container: CFB$Container): { name: string; bytes: Buffer } | undefined {
  if (!hasStream(container, '\u0001Ole')) return undefined;
  const native = stream(container, '\u0001Ole10Native');
  if (native) return packagedFile(native);
  const picture = stream(container, 'CONTENTS');
  return picture ? { name: 'embedded picture', bytes: picture } : undefined;
}

function packagedFile(native: Buffer): { name: string; bytes: Buffer } {
  const size = Math.min(native.length - 4, native.readUInt32LE(0));
  const data = native.subarray(4, 4 + size);
  try {
    let offset = 2;
    const label = nulTerminated(data, offset);
    offset += label.length + 1;
    offset += nulTerminated(data, offset).length + 1 + 4;
    offset += 4 + data.readUInt32LE(offset);
    const fileSize = data.readUInt32LE(offset);
    if (offset + 4 + fileSize > data.length) throw new RangeError('the packaged file overruns its object');
    return { name: label.toString('latin1').split(/[\\/]/).pop() || 'embedded file', bytes: data.subarray(offset + 4, offset + 4 + fileSize) };
  } catch {
    return { name: 'embedded object', bytes: data };
  }
}

function nulTerminated(bytes: Buffer, offset: number): Buffer {
  const end = bytes.indexOf(0, offset);
  if (end < 0) throw new RangeError('an unterminated string in the packaged file');
  return bytes.subarray(offset, end);
}

/** `Book` is Excel 5.0/95 (BIFF5), read by nothing here. */
const OLD_OFFICE_STREAMS = ['Book'];

/** Like .xlsx (xlsx.ts): each sheet's name, then its rows, cells separated by tabs; the first sheet with rows is the table. */
function workbookExtraction(sheets: readonly BiffSheet[], facts: readonly AttachmentFact[]): Extraction {
  const lines = sheets.flatMap((sheet) => [sheet.name, ...sheet.rows.map((row) => row.join('\t'))]);
  const tableRows = sheets.find((sheet) => sheet.rows.length > 0)?.rows ?? [];
  return { texts: [lines.join('\n')], tableRows, facts, truncated: false };
}

const DAMAGED_WORD: AttachmentFact = { kind: 'unscannable', detail: 'a Word 97-2003 document whose text could not be read; it may be damaged' };

function unreadable(container: CFB$Container): AttachmentFact {
  const detail = OLD_OFFICE_STREAMS.some((name) => hasStream(container, name))
    ? 'an older Office format (97-2003) whose text is not read; save it as .xlsx'
    : 'a compound file (such as a Visio drawing) whose contents are not read';
  return { kind: 'unscannable', detail };
}

function encryptionOf(container: CFB$Container): string | undefined {
  if (hasStream(container, 'EncryptionInfo') && hasStream(container, 'EncryptedPackage')) {
    return 'the Office document is encrypted with a password';
  }
  const word = stream(container, 'WordDocument');
  if (word && isEncryptedWordDocument(word)) {
    return 'the Word 97-2003 document is encrypted with a password';
  }
  const workbook = stream(container, 'Workbook') ?? stream(container, 'Book');
  if (workbook && hasFilePassRecord(workbook)) {
    return 'the Excel 97-2003 workbook is encrypted with a password';
  }
  if (hasStream(container, 'EncryptedSummary')) {
    return 'the PowerPoint 97-2003 presentation is encrypted with a password';
  }
  return undefined;
}

function hasStream(container: CFB$Container, name: string): boolean {
  return container.FileIndex.some((entry) => entry.name === name && entry.type === STREAM);
}

function stream(container: CFB$Container, name: string): Buffer | undefined {
  const entry = container.FileIndex.find((candidate) => candidate.name === name && candidate.type === STREAM);
  return entry ? Buffer.from(entry.content) : undefined;
}

/** Entry type of a stream in a CFB directory (MS-CFB 2.6.1). */
const STREAM = 2;

/** FibBase.fEncrypted, bit 8 of the flags at offset 0x0A of the WordDocument stream (MS-DOC 2.5.2). */
function isEncryptedWordDocument(word: Buffer): boolean {
  return word.length >= 12 && (word.readUInt16LE(0x0a) & 0x0100) !== 0;
}

const BIFF_FILEPASS = 0x002f;
const BIFF_EOF = 0x000a;

/** A FILEPASS record in the workbook globals, before their EOF record, means encryption (MS-XLS 2.4.117). */
function hasFilePassRecord(workbook: Buffer): boolean {
  for (let offset = 0; offset + 4 <= workbook.length; ) {
    const type = workbook.readUInt16LE(offset);
    if (type === BIFF_FILEPASS) {
      return true;
    }
    if (type === BIFF_EOF) {
      return false;
    }
    offset += 4 + workbook.readUInt16LE(offset + 2);
  }
  return false;
}

/** A VBA project storage holds a `dir` stream (MS-OVBA 2.2); Word keeps it under Macros/, Excel under _VBA_PROJECT_CUR/. */
function hasMacros(container: CFB$Container): boolean {
  return container.FullPaths.some((path) => /\/VBA\/dir$/i.test(path));
}
