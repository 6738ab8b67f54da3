import { utils, write } from 'cfb';
import { Document, Packer, Paragraph, TextRun } from 'docx';
import ExcelJS from 'exceljs';
import officeCrypto from 'officecrypto-tool';
import { PDFDocument, PDFHexString, StandardFonts } from 'pdf-lib';
import { zipOf } from './zip.js';

/** A PDF with one line of text per entry, one page per inner array. */
export async function pdfOf(pages: readonly (readonly string[])[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage();
    for (const [index, line] of lines.entries()) page.drawText(line, { x: 50, y: 750 - index * 20, size: 12, font });
  }
  return Buffer.from(await pdf.save());
}

/**
 * A PDF whose trailer names a standard security handler (AES-256, revision 5) with a user
 * password: the keys are random, so it cannot be opened without one. pdf-lib cannot encrypt;
 * it only writes the dictionary.
 */
export async function passwordPdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.addPage();
  const hex = (byte: string, length: number) => PDFHexString.of(byte.repeat(length));
  const encrypt = pdf.context.obj({
    Filter: 'Standard',
    V: 5,
    R: 5,
    Length: 256,
    P: -4,
    O: hex('11', 48),
    U: hex('22', 48),
    OE: hex('33', 32),
    UE: hex('44', 32),
    Perms: hex('55', 16),
  });
  pdf.context.trailerInfo.Encrypt = pdf.context.register(encrypt);
  pdf.context.trailerInfo.ID = pdf.context.obj([hex('ab', 16), hex('ab', 16)]);
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}

export function docxOf(paragraphs: readonly string[]): Promise<Buffer> {
  const document = new Document({
    sections: [{ children: paragraphs.map((text) => new Paragraph({ children: [new TextRun(text)] })) }],
  });
  return Packer.toBuffer(document);
}

/** The smallest Word package mammoth reads, optionally with a VBA project as a .docm has. */
export function handmadeDocx(text: string, withMacros: boolean): Promise<Buffer> {
  const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  return zipOf({
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
    '_rels/.rels':
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    'word/document.xml': `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="${W}"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>`,
    ...(withMacros ? { 'word/vbaProject.bin': Buffer.from('not a real VBA project') } : {}),
  });
}

/** A PowerPoint package reduced to what its text lives in: slides and notes. */
export function handmadePptx(slides: readonly string[], notes: Readonly<Record<number, string>> = {}): Promise<Buffer> {
  const A = 'http://schemas.openxmlformats.org/drawingml/2006/main';
  const drawing = (text: string) =>
    `<p:sld xmlns:p="p" xmlns:a="${A}"><p:txBody>${text
      .split('\n')
      .map((line) => `<a:p><a:r><a:rPr lang="en-GB"/><a:t>${line}</a:t></a:r></a:p>`)
      .join('')}</p:txBody></p:sld>`;
  return zipOf({
    '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    ...Object.fromEntries(slides.map((text, index) => [`ppt/slides/slide${index + 1}.xml`, drawing(text)])),
    ...Object.fromEntries(Object.entries(notes).map(([number, text]) => [`ppt/notesSlides/notesSlide${number}.xml`, drawing(text)])),
  });
}

export type Sheet = { readonly name: string; readonly rows: readonly (readonly ExcelJS.CellValue[])[]; readonly hidden?: boolean };

export async function xlsxOf(sheets: readonly Sheet[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const sheet of sheets) {
    const worksheet = workbook.addWorksheet(sheet.name, { state: sheet.hidden ? 'hidden' : 'visible' });
    for (const row of sheet.rows) worksheet.addRow([...row]);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export function encryptOffice(bytes: Buffer): Buffer {
  return officeCrypto.encrypt(bytes, { password: 'Invented-Passw0rd' });
}

/** An OLE compound file with the given streams, as Office 97-2003 writes them. */
export function compoundFileOf(streams: Readonly<Record<string, Buffer>>): Buffer {
  const container = utils.cfb_new();
  for (const [path, content] of Object.entries(streams)) {
    utils.cfb_add(container, path, content);
  }
  return Buffer.from(write(container, { type: 'buffer' }) as Uint8Array);
}

/** A Word 97-2003 FibBase whose flags (offset 0x0A) carry fEncrypted (0x0100) or not. */
export function wordDocumentStream(encrypted: boolean): Buffer {
  const fib = Buffer.alloc(64);
  fib.writeUInt16LE(0xa5ec, 0);
  fib.writeUInt16LE(0x00c1, 2);
  fib.writeUInt16LE(encrypted ? 0x0100 : 0, 0x0a);
  return fib;
}

/** A BIFF8 workbook globals stream: BOF, optionally FILEPASS, then EOF. */
export function workbookStream(encrypted: boolean): Buffer {
  const record = (type: number, data: Buffer) => {
    const header = Buffer.alloc(4);
    header.writeUInt16LE(type, 0);
    header.writeUInt16LE(data.length, 2);
    return Buffer.concat([header, data]);
  };
  return Buffer.concat([record(0x0809, Buffer.alloc(16)), ...(encrypted ? [record(0x002f, Buffer.alloc(54))] : []), record(0x000a, Buffer.alloc(0))]);
}
