import { read } from 'cfb';
import type { CFB$Container } from 'cfb';
import type { AttachmentFact } from '../message-view.js';
import { MACROS, textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';
import { ENCRYPTED_WORKBOOK, isEncryptedWorkbook, workbookExtraction } from './excel-biff.js';
import { powerPointText } from './powerpoint-binary.js';
import { publisherText } from './publisher.js';
import { wordDocumentText } from './word-doc.js';

/**
 * Office files in a Compound File Binary (OLE) container: Word, Excel and PowerPoint 97-2003,
 * and password-protected .docx/.xlsx/.pptx, which Office wraps in one (MS-OFFCRYPTO 2.1).
 * Encrypted ones are noted, as are macros; Word 6.0-2003 text (word-doc.ts), Excel 5.0-2003 cells
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
  // Excel 5.0/95 names its stream `Book`, Excel 97 and later `Workbook`.
  const workbook = stream(container, 'Workbook') ?? stream(container, 'Book');
  if (workbook) {
    return workbookExtraction(workbook, context.limits.maxAttachmentTextChars, macros);
  }
  const slides = stream(container, 'PowerPoint Document');
  if (slides) {
    return textExtraction([powerPointText(slides, context.limits.maxAttachmentTextChars)], macros);
  }
  const wordDocument = stream(container, 'WordDocument');
  if (wordDocument) {
    // A damaged document still reports its macros.
    const text = await wordDocumentText(file.bytes, wordDocument).catch(() => undefined);
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
  return textExtraction([], [UNREADABLE_COMPOUND_FILE, ...macros]);
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

const DAMAGED_WORD: AttachmentFact = { kind: 'unscannable', detail: 'a Word 97-2003 document whose text could not be read; it may be damaged' };

const UNREADABLE_COMPOUND_FILE: AttachmentFact = { kind: 'unscannable', detail: 'a compound file (such as a Visio drawing) whose contents are not read' };

function encryptionOf(container: CFB$Container): string | undefined {
  if (hasStream(container, 'EncryptionInfo') && hasStream(container, 'EncryptedPackage')) {
    return 'the Office document is encrypted with a password';
  }
  const word = stream(container, 'WordDocument');
  if (word && isEncryptedWordDocument(word)) {
    return 'the Word 97-2003 document is encrypted with a password';
  }
  const workbook = stream(container, 'Workbook') ?? stream(container, 'Book');
  if (workbook && isEncryptedWorkbook(workbook)) {
    return ENCRYPTED_WORKBOOK;
  }
  if (hasStream(container, 'EncryptedSummary')) {
    return 'the PowerPoint 97-2003 presentation is encrypted with a password';
  }
  return undefined;
}

/** Directory entry names compare without regard to case (MS-CFB 2.6.4): some writers store `WORKBOOK`. */
function isStream(entry: CFB$Container['FileIndex'][number], name: string): boolean {
  return entry.type === STREAM && entry.name.toUpperCase() === name.toUpperCase();
}

function hasStream(container: CFB$Container, name: string): boolean {
  return container.FileIndex.some((entry) => isStream(entry, name));
}

function stream(container: CFB$Container, name: string): Buffer | undefined {
  const entry = container.FileIndex.find((candidate) => isStream(candidate, name));
  return entry ? Buffer.from(entry.content) : undefined;
}

/** Entry type of a stream in a CFB directory (MS-CFB 2.6.1). */
const STREAM = 2;

/** FibBase.fEncrypted, bit 8 of the flags at offset 0x0A of the WordDocument stream (MS-DOC 2.5.2). */
function isEncryptedWordDocument(word: Buffer): boolean {
  return word.length >= 12 && (word.readUInt16LE(0x0a) & 0x0100) !== 0;
}

/** A VBA project storage holds a `dir` stream (MS-OVBA 2.2); Word keeps it under Macros/, Excel under _VBA_PROJECT_CUR/. */
function hasMacros(container: CFB$Container): boolean {
  return container.FullPaths.some((path) => /\/VBA\/dir$/i.test(path));
}
