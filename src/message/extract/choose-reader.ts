import { extensionOf } from '../sniff.js';
import { extractCalendar } from './calendar.js';
import { extractCsv } from './csv.js';
import { extractDocx } from './docx.js';
import { extractMessage } from './eml.js';
import type { AttachmentFact } from '../message-view.js';
import type { Extractor } from './extractor.js';
import { extractEpub } from './epub.js';
import { extractBareWorkbook, isBareBiffStream } from './excel-biff.js';
import { extractBzip2, extractGzip } from './compressed.js';
import { extractHtml } from './html.js';
import { extractImage, OCR_IMAGE_TYPES } from './image.js';
import { extractCompoundFile } from './office-encryption.js';
import { extractOdf } from './odf.js';
import { extractOutlookMessage } from './outlook-msg.js';
import { extractPdf } from './pdf.js';
import { extractRtf } from './rtf.js';
import { extractSmime } from './smime.js';
import { extractTar } from './tar.js';
import { extractPptx } from './pptx.js';
import { extractText, looksLikeText } from './text.js';
import { extractTnef, TNEF_SIGNATURE } from './tnef.js';
import { extractXlsx } from './xlsx.js';
import { extractWordProcessorFile, hasWordPerfectSignature, WORD_PROCESSOR_EXTENSIONS } from './word-processor.js';
import { extractZip } from './zip.js';

/** How a file is read, or why it is not. */
export type Reader =
  | {
      readonly kind: 'extract';
      readonly extract: Extractor;
      /** What the file is, in words for a teacher: "PDF", "ZIP archive". */
      readonly label: string;
      /** Archives and attached messages hold files of their own and count towards `maxArchiveDepth`. */
      readonly container: boolean;
    }
  /** Not read: what is known about the file is in its facts (none for an image). */
  | { readonly kind: 'not-read'; readonly facts: readonly AttachmentFact[] };

export interface FileToChoose {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly declaredType: string;
  readonly sniffedType: string | undefined;
}

const leaf = (extract: Extractor, label: string): Reader => ({ kind: 'extract', extract, label, container: false });
const PDF = leaf(extractPdf, 'PDF');
const WORD = leaf(extractDocx, 'Word document');
const EXCEL = leaf(extractXlsx, 'Excel workbook');
const POWERPOINT = leaf(extractPptx, 'PowerPoint presentation');
const OPEN_DOCUMENT = leaf(extractOdf, 'OpenDocument file');
const EPUB = leaf(extractEpub, 'EPUB book');
const OLD_OFFICE = leaf(extractCompoundFile, 'Office 97-2003 file');
const OLD_EXCEL = leaf(extractBareWorkbook, 'Excel 2.x-4.0 workbook');
const WORD_PROCESSOR = leaf(extractWordProcessorFile, 'word-processor document');
const RTF = leaf(extractRtf, 'RTF document');
const CSV = leaf(extractCsv, 'CSV file');
const HTML = leaf(extractHtml, 'web page');
const TEXT = leaf(extractText, 'text file');
const IMAGE = leaf(extractImage, 'image');
const CALENDAR = leaf(extractCalendar, 'calendar invite');
const NOTHING_TO_READ: Reader = { kind: 'not-read', facts: [] };
const unreadable = (detail: string): Reader => ({ kind: 'not-read', facts: [{ kind: 'unscannable', detail }] });
const container = (extract: Extractor, label: string): Reader => ({ kind: 'extract', extract, label, container: true });
const ZIP = container(extractZip, 'ZIP archive');
const GZIP = container(extractGzip, 'gzip file');
const BZIP2 = container(extractBzip2, 'bzip2 file');
const TAR = container(extractTar, 'tar archive');
const SMIME = container(extractSmime, 'S/MIME message');
const OUTLOOK_MESSAGE = container(extractOutlookMessage, 'Outlook message');
const TNEF = container(extractTnef, 'Outlook winmail.dat');
const MESSAGE = container(extractMessage, 'attached message');

/** Office Open XML, OpenDocument and EPUB by the type file-type sniffs, and by extension for packages it only sees as ZIP. */
const OOXML_TYPES = new Map<string, Reader>([
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', WORD],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.template', WORD],
  ['application/vnd.ms-word.document.macroenabled.12', WORD],
  ['application/vnd.ms-word.template.macroenabled.12', WORD],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', EXCEL],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.template', EXCEL],
  ['application/vnd.ms-excel.sheet.macroenabled.12', EXCEL],
  ['application/vnd.ms-excel.template.macroenabled.12', EXCEL],
  ['application/vnd.openxmlformats-officedocument.presentationml.presentation', POWERPOINT],
  ['application/vnd.openxmlformats-officedocument.presentationml.slideshow', POWERPOINT],
  ['application/vnd.ms-powerpoint.presentation.macroenabled.12', POWERPOINT],
  ['application/vnd.ms-powerpoint.slideshow.macroenabled.12', POWERPOINT],
  ['application/vnd.oasis.opendocument.text', OPEN_DOCUMENT],
  ['application/vnd.oasis.opendocument.text-template', OPEN_DOCUMENT],
  ['application/vnd.oasis.opendocument.spreadsheet', OPEN_DOCUMENT],
  ['application/vnd.oasis.opendocument.spreadsheet-template', OPEN_DOCUMENT],
  ['application/vnd.oasis.opendocument.presentation', OPEN_DOCUMENT],
  ['application/vnd.oasis.opendocument.presentation-template', OPEN_DOCUMENT],
  ['application/vnd.oasis.opendocument.graphics', OPEN_DOCUMENT],
  ['application/epub+zip', EPUB],
]);
const OOXML_EXTENSIONS = new Map<string, Reader>([
  ...['docx', 'docm', 'dotx', 'dotm'].map((extension) => [extension, WORD] as const),
  ...['xlsx', 'xlsm', 'xltx', 'xltm'].map((extension) => [extension, EXCEL] as const),
  ...['pptx', 'pptm', 'ppsx', 'ppsm'].map((extension) => [extension, POWERPOINT] as const),
  ...['odt', 'ott', 'ods', 'ots', 'odp', 'otp', 'odg'].map((extension) => [extension, OPEN_DOCUMENT] as const),
  ['epub', EPUB],
]);

/** Sniffed types that are text underneath. */
const TEXT_BASED_TYPES = new Set(['application/xml']);

function isTextBased(type: string): boolean {
  return type.startsWith('text/') || TEXT_BASED_TYPES.has(type);
}

function isMedia(type: string): boolean {
  return type.startsWith('audio/') || type.startsWith('video/');
}

/** Audio and video hold no text; they get a fact of their own rather than `unscannable`, which would hold them. */
function media(type: string): Reader {
  return { kind: 'not-read', facts: [{ kind: 'media', detail: `${type.startsWith('audio/') ? 'audio' : 'video'} (${type})` }] };
}

function encrypted(scheme: string): Reader {
  return { kind: 'not-read', facts: [{ kind: 'password-protected', detail: `the content is encrypted with ${scheme}` }] };
}

/**
 * Signatures sign other parts, which are read in their own right. S/MIME in one part is opened
 * when it is only signed; encrypted for its recipients, it cannot be read, and counts as
 * protected as a password-protected file does.
 */
const BY_DECLARED_TYPE = new Map<string, Reader>([
  ['application/pkcs7-signature', NOTHING_TO_READ],
  ['application/x-pkcs7-signature', NOTHING_TO_READ],
  ['application/pgp-signature', NOTHING_TO_READ],
  ['application/pgp-encrypted', NOTHING_TO_READ],
  ['application/pkcs7-mime', SMIME],
  ['application/x-pkcs7-mime', SMIME],
]);

/**
 * Archive kinds no well-kept JavaScript reader opens within the message's limits: said plainly,
 * so the sender can send the files themselves or a ZIP.
 */
const UNOPENED_ARCHIVES = new Map<string, Reader>([
  ['application/x-7z-compressed', unreadable('it is a 7-Zip archive, which the gateway cannot open; send the files themselves or a ZIP')],
  ['application/x-rar-compressed', unreadable('it is a RAR archive, which the gateway cannot open; send the files themselves or a ZIP')],
  ['application/vnd.rar', unreadable('it is a RAR archive, which the gateway cannot open; send the files themselves or a ZIP')],
]);

/** An OpenPGP message in ASCII armour (RFC 4880 6.2), as PGP/MIME carries it. */
const PGP_ARMOUR = Buffer.from('-----BEGIN PGP MESSAGE-----');

export function chooseReader(file: FileToChoose): Reader {
  if (file.bytes.length === 0) {
    return NOTHING_TO_READ;
  }
  const declared = BY_DECLARED_TYPE.get(file.declaredType);
  if (declared) {
    return declared;
  }
  if (PGP_ARMOUR.equals(file.bytes.subarray(0, PGP_ARMOUR.length))) {
    return encrypted('PGP');
  }
  if (file.bytes.length >= 4 && Buffer.from(file.bytes.buffer, file.bytes.byteOffset, 4).readUInt32LE(0) === TNEF_SIGNATURE) {
    return TNEF;
  }
  const sniffed = file.sniffedType;
  if (sniffed && !isTextBased(sniffed)) {
    return readerForContent(sniffed, extensionOf(file.name));
  }
  return readerForText(file);
}

function readerForContent(sniffed: string, extension: string): Reader {
  if (sniffed === 'application/pdf') {
    return PDF;
  }
  if (sniffed === 'application/zip') {
    return OOXML_EXTENSIONS.get(extension) ?? ZIP;
  }
  if (sniffed === 'application/rtf') {
    return RTF;
  }
  if (sniffed === 'application/x-cfb') {
    return extension === 'msg' ? OUTLOOK_MESSAGE : OLD_OFFICE;
  }
  if (sniffed === 'application/gzip') {
    return GZIP;
  }
  if (sniffed === 'application/x-bzip2') {
    return BZIP2;
  }
  if (sniffed === 'application/x-tar') {
    return TAR;
  }
  const unopened = UNOPENED_ARCHIVES.get(sniffed);
  if (unopened) {
    return unopened;
  }
  // Images the OCR engine decodes are read by OCR when the message's OCR is on. Others (HEIC,
  // icons, camera raw) carry no text we can read; a DPO gains nothing from a warning on every
  // photo, so they are recorded without a fact.
  if (OCR_IMAGE_TYPES.has(sniffed)) {
    return IMAGE;
  }
  if (sniffed.startsWith('image/')) {
    return NOTHING_TO_READ;
  }
  if (isMedia(sniffed)) {
    return media(sniffed);
  }
  return OOXML_TYPES.get(sniffed) ?? unreadable(`its content (${sniffed}) is a kind the gateway cannot read`);
}

/** No magic bytes: the declared type and the name decide, and anything that looks like text is read as text. */
function readerForText(file: FileToChoose): Reader {
  const extension = extensionOf(file.name);
  const declared = file.declaredType;
  if (declared === 'message/rfc822' || extension === 'eml') {
    return MESSAGE;
  }
  if (isMedia(declared)) {
    return media(declared);
  }
  // Tar files before POSIX (v7) carry no magic; the name and the header checksum tell them.
  if (extension === 'tar' && !looksLikeText(file.bytes)) {
    return TAR;
  }
  if (isBareBiffStream(file.bytes)) {
    return OLD_EXCEL;
  }
  const binary = !looksLikeText(file.bytes);
  const bytes = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.length);
  if (hasWordPerfectSignature(bytes) || (binary && WORD_PROCESSOR_EXTENSIONS.has(extension))) {
    return WORD_PROCESSOR;
  }
  if (binary) {
    return unreadable('its content is in a binary format the gateway does not recognise');
  }
  if (declared === 'text/html' || extension === 'html' || extension === 'htm') {
    return HTML;
  }
  if (declared === 'text/csv' || declared === 'text/tab-separated-values' || extension === 'csv' || extension === 'tsv') {
    return CSV;
  }
  if (declared === 'text/calendar' || extension === 'ics' || extension === 'vcs') {
    return CALENDAR;
  }
  return TEXT;
}
