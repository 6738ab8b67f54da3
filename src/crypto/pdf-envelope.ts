import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { create as openFont, type Font } from 'fontkit';
import libmime from 'libmime';
import { firstValue, splitMessage } from '../message/header-fields.js';
import { htmlToReadableText } from '../message/html-to-text.js';
import { DEFAULT_MESSAGE_LIMITS } from '../message/limits.js';
import type { MailAddress } from '../message/message-view.js';
import { readMime, type MimeAttachment, type MimeMessage } from '../message/mime-reader.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

export interface PdfEnvelopeOptions {
  /** The document's user password: nothing in the file can be read without it. */
  readonly passphrase: string;
  readonly now: Date;
  /** How long reading the message may take before the PDF is given up; default the scan's own bound. */
  readonly maxMillis?: number;
}

/**
 * The message could not be rendered whole (malformed MIME, too many parts, out of time): a PDF of
 * it would lose something, so the caller sends the recipient another form instead.
 */
export class PdfEnvelopeUnfaithful extends HallmonitorError {
  override readonly name = 'PdfEnvelopeUnfaithful';
  readonly code = 'pdf-envelope-unfaithful';
  readonly disposition = 'permanent';
}

/** What the reader fills in instead of a character the document cannot show (U+25A1 WHITE SQUARE). */
export const NOT_SHOWN = '\u25a1';
/** The UTF-8 text of the message, embedded when some of it cannot be shown on the page. */
export const FULL_TEXT_NAME = 'message-text.txt';

/**
 * ISO 32000-2 (PDF 2.0): standard security handler revision 6, AES-256 for every string and stream,
 * the password hashed by Algorithm 2.B. PDFKit's typings stop at 1.7ext3 (revision 5, a single SHA-256
 * that ISO 32000-2 deprecates); `patches/pdfkit+0.20.2.patch` adds this version.
 */
const PDF_2_0 = '2.0' as unknown as PDFKit.PDFDocumentOptions['pdfVersion'];

/** Scripts written right to left: PDFKit lays text out left to right, which would show their words reversed. */
const RIGHT_TO_LEFT = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

/**
 * The whole message as one encrypted PDF: a page with who sent it, to whom, when and about what, then
 * its text (an HTML-only message as readable text: no script, no remote image, no link target), and
 * every attachment embedded as a PDF file attachment, byte for byte, under its own name. Attachments are
 * added as the parser hands them over, one at a time, so memory holds one attachment beside the output.
 *
 * @throws PdfEnvelopeUnfaithful when the message cannot be read whole.
 */
export async function buildPdfEnvelope(raw: Buffer, options: PdfEnvelopeOptions): Promise<Buffer> {
  // Loaded on first use: PDFKit takes a third of a second to load, and most processes never write a PDF.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    pdfVersion: PDF_2_0,
    userPassword: options.passphrase,
    // The recipient owns their copy: the same password opens it with every permission.
    ownerPassword: options.passphrase,
    permissions: { printing: 'highResolution', copying: true, modifying: true, annotating: true, fillingForms: true, contentAccessibility: true, documentAssembly: true },
    info: { Title: 'Secure message', Producer: 'Hallmonitor', CreationDate: options.now },
    displayTitle: true,
    lang: 'en-GB',
    size: 'A4',
    margin: 56,
  });
  const output = collect(doc);
  const { regular, bold } = fontFiles();
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);
  const names = new UniqueNames();
  const attachments: { name: string; size: number }[] = [];
  let broken = 0;
  const message = await readMime(
    raw,
    { maxBytes: raw.length + 1, maxParts: DEFAULT_MESSAGE_LIMITS.maxParts, signal: AbortSignal.timeout(options.maxMillis ?? DEFAULT_MESSAGE_LIMITS.maxMessageMillis) },
    async (attachment) => {
      if (!attachment.complete) {
        broken += 1;
        return;
      }
      const name = names.take(fileNameOf(attachment, attachments.length + 1));
      doc.file(attachment.bytes, { name, type: attachment.contentType, creationDate: options.now, modifiedDate: options.now });
      attachments.push({ name, size: attachment.bytes.length });
    },
  );
  const problems = [...message.problems.map((problem) => problem.kind), ...(broken > 0 ? ['attachment-cut-off'] : [])];
  if (problems.length > 0) {
    doc.end();
    throw new PdfEnvelopeUnfaithful(`the message cannot be rendered whole as a PDF (${problems.join(', ')})`);
  }
  const pageText = readableMessage(message, firstValue(splitMessage(raw).fields, 'Date'));
  const shown = showable(pageText);
  if (shown.lost) {
    const fullText = Buffer.from(`\ufeff${plainText(pageText)}`, 'utf8');
    doc.file(fullText, { name: names.take(FULL_TEXT_NAME), type: 'text/plain', creationDate: options.now, modifiedDate: options.now });
  }
  drawPage(doc, shown, attachments);
  doc.end();
  return output;
}

interface MessageText {
  readonly fields: readonly (readonly [label: string, value: string])[];
  readonly body: string;
}

function readableMessage(message: MimeMessage, date: string | undefined): MessageText {
  const fields: [string, string][] = [
    ['From', message.from ? addressList([message.from]) : ''],
    ['To', addressList(message.to)],
    ['Cc', addressList(message.cc)],
    ['Date', date ? decodeHeader(date) : ''],
    ['Subject', message.subject],
  ];
  const body = message.plainBody.trim() !== '' ? message.plainBody : htmlToReadableText(message.htmlBody);
  return { fields: fields.filter(([, value]) => value.trim() !== ''), body: body.replace(/\r\n?/g, '\n') };
}

function addressList(addresses: readonly MailAddress[]): string {
  return addresses.map((entry) => (entry.displayName ? `${entry.displayName} <${entry.address}>` : entry.address)).join(', ');
}

function decodeHeader(value: string): string {
  return libmime.decodeWords(Buffer.from(value, 'latin1').toString('utf8')).replace(/\s+/g, ' ').trim();
}

function plainText(text: MessageText): string {
  return [...text.fields.map(([label, value]) => `${label}: ${value}`), '', text.body].join('\r\n').replace(/(?<!\r)\n/g, '\r\n');
}

interface Showable extends MessageText {
  /** Whether some character had to be replaced by `NOT_SHOWN`. */
  readonly lost: boolean;
}

/**
 * The text with every character the embedded font has no glyph for, or that would be laid out in the
 * wrong direction, replaced by `NOT_SHOWN`, so nothing vanishes without a mark; the caller then embeds
 * the full text as a file. Control characters but line ends and tabs go; tabs become spaces.
 */
function showable(text: MessageText): Showable {
  const font = glyphs();
  let lost = false;
  const clean = (value: string): string => {
    let result = '';
    for (const character of value.replace(/\t/g, '    ').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '')) {
      const codePoint = character.codePointAt(0) ?? 0;
      if (character === '\n' || /\s/u.test(character) || (font.hasGlyphForCodePoint(codePoint) && !RIGHT_TO_LEFT.test(character))) {
        result += character;
      } else if (/\p{M}|\p{Cf}/u.test(character) && !RIGHT_TO_LEFT.test(character)) {
        // A combining mark or a format character (zero-width joiner) without a glyph: nothing to see, nothing lost.
        continue;
      } else {
        lost = true;
        result += NOT_SHOWN;
      }
    }
    return result;
  };
  return { fields: text.fields.map(([label, value]) => [label, clean(value)] as const), body: clean(text.body), lost };
}

function drawPage(doc: PDFKit.PDFDocument, text: Showable, attachments: readonly { name: string; size: number }[]): void {
  doc.font('bold').fontSize(16).text('Secure message');
  doc.moveDown(0.5);
  for (const [label, value] of text.fields) {
    doc.font('bold').fontSize(10).text(`${label}: `, { continued: true }).font('regular').text(value);
  }
  if (text.lost) {
    doc.moveDown(0.5);
    doc.font('bold').fontSize(10).text(`Some characters of this message cannot be shown on this page and are marked ${NOT_SHOWN}. The full text is attached as ${FULL_TEXT_NAME}.`);
  }
  if (attachments.length > 0) {
    doc.moveDown(0.5);
    doc.font('bold').fontSize(10).text(`Attachments (${attachments.length}), in this PDF's attachments panel (the paperclip):`);
    doc.font('regular');
    for (const attachment of attachments) doc.text(`${showableName(attachment.name)} (${sizeInWords(attachment.size)})`, { indent: 12 });
  }
  doc.moveDown(1);
  doc
    .font('regular')
    .fontSize(11)
    .text(text.body === '' ? '(no text)' : text.body, { lineGap: 2 });
}

function showableName(name: string): string {
  const font = glyphs();
  return [...name].map((character) => (font.hasGlyphForCodePoint(character.codePointAt(0) ?? 0) && !RIGHT_TO_LEFT.test(character) ? character : NOT_SHOWN)).join('');
}

function sizeInWords(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** The attachment's own file name without any folder part, else one made from its number and type. */
function fileNameOf(attachment: MimeAttachment, index: number): string {
  const given = attachment.filename
    ?.split(/[\\/]/)
    .pop()
    ?.replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  if (given) return given;
  const extension = attachment.contentType === 'message/rfc822' ? 'eml' : ((libmime.detectExtension(attachment.contentType) as string | undefined) ?? 'bin');
  return `attachment-${index}.${extension}`;
}

/** A PDF name tree holds each name once: a second `report.pdf` becomes `report (2).pdf`. */
class UniqueNames {
  readonly #taken = new Set<string>();

  take(name: string): string {
    const extension = extname(name);
    const stem = name.slice(0, name.length - extension.length);
    let candidate = name;
    for (let copy = 2; this.#taken.has(candidate.toLowerCase()); copy += 1) candidate = `${stem} (${copy})${extension}`;
    this.#taken.add(candidate.toLowerCase());
    return candidate;
  }
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/**
 * DejaVu Sans from its npm package: Latin, Greek, Cyrillic and more (Polish, Romanian, Lithuanian,
 * Turkish, Ukrainian...), embedded as a subset. Nothing is fetched at run time.
 */
function fontFiles(): { regular: string; bold: string } {
  const folder = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return { regular: join(folder, 'DejaVuSans.ttf'), bold: join(folder, 'DejaVuSans-Bold.ttf') };
}

/** Read once per process; the regular and bold faces cover the same characters. */
let coverage: Font | undefined;

function glyphs(): Font {
  coverage ??= openFont(readFileSync(fontFiles().regular)) as Font;
  return coverage;
}
