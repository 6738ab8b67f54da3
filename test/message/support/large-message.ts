import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

/** Bytes per base64 line (76 characters, RFC 2045 6.8). */
const LINE_BYTES = 57;
const LINES_PER_CHUNK = 2048;

/**
 * A message with one attachment, produced as it is read: the test itself never holds the
 * attachment, so the reader's memory is what a peak-RSS measurement sees.
 */
export function streamedMessage(filename: string, contentType: string, content: () => Iterable<Buffer>): Readable {
  return Readable.from(messageChunks(filename, contentType, content()));
}

function* messageChunks(filename: string, contentType: string, content: Iterable<Buffer>): Generator<Buffer> {
  yield Buffer.from(
    [
      'From: Ms Ada Teacher <ada.teacher@example-school.sch.uk>',
      'To: Parent Person <parent.person@example.net>',
      'Subject: Large attachment',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="large-boundary"',
      '',
      '--large-boundary',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Please find the file attached.',
      '--large-boundary',
      `Content-Type: ${contentType}; name="${filename}"`,
      `Content-Disposition: attachment; filename="${filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      '',
    ].join('\r\n'),
  );
  yield* base64Lines(content);
  yield Buffer.from('\r\n--large-boundary--\r\n');
}

function* base64Lines(content: Iterable<Buffer>): Generator<Buffer> {
  let pending = Buffer.alloc(0);
  for (const chunk of content) {
    pending = Buffer.concat([pending, chunk]);
    const whole = pending.length - (pending.length % (LINE_BYTES * LINES_PER_CHUNK));
    if (whole > 0) {
      yield encodeLines(pending.subarray(0, whole));
      pending = pending.subarray(whole);
    }
  }
  if (pending.length > 0) {
    yield encodeLines(pending);
  }
}

function encodeLines(bytes: Buffer): Buffer {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += LINE_BYTES) {
    lines.push(bytes.subarray(offset, offset + LINE_BYTES).toString('base64'));
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`);
}

/** `size` bytes of random data, a megabyte at a time. */
export function* randomContent(size: number): Generator<Buffer> {
  for (let left = size; left > 0; left -= 1024 * 1024) {
    yield randomBytes(Math.min(left, 1024 * 1024));
  }
}

/**
 * A one-page PDF like a scanner makes: a line of text over a large JPEG image of `imageBytes`
 * (random bytes: only text extraction reads this PDF, and it never decodes images).
 */
export function* scannedPdf(text: string, imageBytes: number): Generator<Buffer> {
  const contents = `BT /F1 12 Tf 50 700 Td (${text}) Tj ET q 500 0 0 600 50 50 cm /Im1 Do Q`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>',
    `<< /Length ${contents.length} >>\nstream\n${contents}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(pdf.length);
    pdf += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  offsets.push(pdf.length);
  pdf += `6 0 obj\n<< /Type /XObject /Subtype /Image /Width 2480 /Height 3508 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${imageBytes} >>\nstream\n`;
  yield Buffer.from(pdf, 'latin1');
  yield* randomContent(imageBytes);
  const tail = '\nendstream\nendobj\n';
  const xrefOffset = pdf.length + imageBytes + tail.length;
  const xref = ['xref', `0 ${offsets.length + 1}`, '0000000000 65535 f ', ...offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n `)];
  yield Buffer.from(`${tail}${xref.join('\n')}\ntrailer\n<< /Size ${offsets.length + 1} /Root 1 0 R >>\nstartxref\n${xrefOffset}\n%%EOF\n`, 'latin1');
}

/** A class-list CSV of about `size` bytes. */
export function* classListCsv(size: number): Generator<Buffer> {
  const rows: string[] = ['UPN,Forename,Surname,DOB,Reg,Contact Email'];
  for (let row = 0; row < 1000; row += 1) {
    rows.push(`A${String(row).padStart(12, '0')},Invented${row},Person${row},01/02/2014,6B,parent${row}@example.net`);
  }
  const block = Buffer.from(`${rows.join('\n')}\n`);
  for (let left = size; left > 0; left -= block.length) {
    yield left >= block.length ? block : block.subarray(0, left);
  }
}
