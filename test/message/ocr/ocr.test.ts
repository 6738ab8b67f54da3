import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detector } from '../../../src/detect/detector.js';
import type { Finding } from '../../../src/detect/finding.js';
import type { MessageLimits } from '../../../src/message/limits.js';
import { stopOcrEngine } from '../../../src/message/ocr-engine.js';
import { readMessage } from '../../../src/message/read-message.js';
import { loadSchool } from '../../../src/scan/load-school.js';
import type { OcrWhen } from '../../../src/config/school-sources.js';
import type { School } from '../../../src/scan/school.js';
import { scanMessage } from '../../../src/scan/scan-message.js';
import type { ScanResult } from '../../../src/scan/scan-message.js';
import { toReportJson } from '../../../src/cli/scan-report.js';
import { describeLocation } from '../../../src/detect/describe-location.js';
import { compose } from '../support/compose.js';

/**
 * OCR on real rendered images (fixtures/ocr/README.md): a 1280x800 screenshot of an MIS register,
 * the same list scanned into an image-only PDF, and crops of the screenshot in each image format.
 * Every pupil is invented, from fixtures/roster/pupils.csv.
 */
const SCHOOL_DOMAIN = 'stmarys-example.sch.uk';
const TEACHER = `teacher@${SCHOOL_DOMAIN}`;
const OUTSIDE = 'coach@swim-club.example.org';
const COLLEAGUE = `office@${SCHOOL_DOMAIN}`;

let school: School;
let detectors: readonly Detector[];

beforeAll(async () => {
  ({ school, detectors } = await loadSchool({
    id: 'ocr',
    domains: [SCHOOL_DOMAIN],
    rosterPath: resolve('fixtures/roster/pupils.csv'),
    staffPath: resolve('fixtures/roster/staff.csv'),
  }));
});

afterAll(() => stopOcrEngine());

const fixture = (name: string): Promise<Buffer> => readFile(resolve('fixtures/ocr', name));

async function messageWith(...files: string[]): Promise<Buffer> {
  const attachments = await Promise.all(files.map(async (filename) => ({ filename, content: await fixture(filename) })));
  return compose({ subject: 'Swimming', text: 'See attached.', attachments });
}

function scan(raw: Buffer, rcpt: string, options: { ocr?: OcrWhen; limits?: Partial<MessageLimits> } = {}): Promise<ScanResult> {
  const judging = options.ocr ? { ...school, ocr: options.ocr } : school;
  return scanMessage(raw, judging, detectors, { mailFrom: TEACHER, rcptTo: [rcpt] }, options.limits);
}

const pupilNamesAt = (findings: readonly Finding[], name: string): string[] =>
  findings.filter((finding) => finding.category === 'pupil-name' && finding.location.part === 'attachment' && finding.location.name === name).map((finding) => finding.match);

const ocrFacts = (result: ScanResult) => result.view.attachments.flatMap((attachment) => attachment.facts.filter((fact) => fact.kind === 'ocr-limit'));

describe('OCR of images and scanned PDFs in mail leaving the school', () => {
  it('finds pupils named in a 1280x800 PNG screenshot of a register, located at the image and marked as OCR', async () => {
    const result = await scan(await messageWith('class-list-screenshot.png'), OUTSIDE);
    const names = pupilNamesAt(result.findings, 'class-list-screenshot.png');
    expect(names).toContain('Hannah Cheung');
    expect(names.length).toBeGreaterThanOrEqual(10);
    const finding = result.findings.find((each) => each.match === 'Hannah Cheung');
    expect(finding?.location).toEqual({ part: 'attachment', name: 'class-list-screenshot.png', ocr: true });
    expect(describeLocation(finding!.location as { part: 'attachment'; name: string; ocr: true })).toBe('in the attachment "class-list-screenshot.png" (its text read by OCR)');
    const reported = toReportJson('register.eml', result).findings.find((each) => each.match === 'Hannah Cheung');
    expect(reported?.location).toEqual({ part: 'attachment', name: 'class-list-screenshot.png', ocr: true });
    // Twelve pupils on one screen is a class list: the policy holds it for the DPO.
    expect(result.findings.map((each) => each.category)).toContain('attachment/bulk-personal-data');
    expect(result.verdict.action).toBe('quarantine');
  });

  it('finds pupils named in a scanned PDF whose page is only an image', async () => {
    const result = await scan(await messageWith('swimming-groups-scan.pdf'), OUTSIDE);
    const names = pupilNamesAt(result.findings, 'swimming-groups-scan.pdf');
    expect(names).toContain('Hannah Cheung');
    expect(names.length).toBeGreaterThanOrEqual(10);
    expect(result.view.pieces.filter((piece) => piece.location.part === 'attachment' && 'ocr' in piece.location)).toHaveLength(1);
  });

  it.each([
    ['register-crop.jpg', 'JPEG'],
    ['register-crop.gif', 'GIF'],
    ['register-crop.bmp', 'BMP'],
    ['register-crop.tif', 'TIFF'],
    ['register-crop.webp', 'WebP'],
    ['register-crop.heic', 'HEIC, decoded by heic-decode'],
  ])('reads a %s (%s)', async (name) => {
    const result = await scan(await messageWith(name), OUTSIDE);
    expect(pupilNamesAt(result.findings, name)).toContain('Hannah Cheung');
    expect(ocrFacts(result)).toEqual([]);
  });
});

describe('when OCR runs', () => {
  it('not for mail that stays inside the school, by default', async () => {
    const result = await scan(await messageWith('class-list-screenshot.png'), COLLEAGUE);
    expect(result.view.pieces.some((piece) => piece.location.part === 'attachment')).toBe(false);
    expect(result.findings.filter((finding) => finding.category === 'pupil-name')).toEqual([]);
  });

  it('for internal mail too when the school says always, and never when it says never', async () => {
    const always = await scan(await messageWith('class-list-screenshot.png'), COLLEAGUE, { ocr: 'always' });
    expect(pupilNamesAt(always.findings, 'class-list-screenshot.png')).toContain('Hannah Cheung');
    const never = await scan(await messageWith('class-list-screenshot.png'), OUTSIDE, { ocr: 'never' });
    expect(never.findings.filter((finding) => finding.category === 'pupil-name')).toEqual([]);
  });

  it('judges by the headers when there is no envelope, as `hallmonitor scan` does', async () => {
    const raw = await compose({ to: OUTSIDE, subject: 'Register', attachments: [{ filename: 'r.png', content: await fixture('class-list-screenshot.png') }] });
    const result = await scanMessage(raw, school, detectors);
    expect(pupilNamesAt(result.findings, 'r.png')).toContain('Hannah Cheung');
  });

  it('never loads the OCR engine for mail without images', async () => {
    // A fresh process, so nothing another test loaded counts: tesseract.js is CommonJS, and once
    // imported it sits in require's cache.
    const script = `
      import { createRequire } from 'node:module';
      import MailComposer from 'nodemailer/lib/mail-composer/index.js';
      import { readMessage } from './dist/src/message/read-message.js';
      const raw = await new MailComposer({ from: '${TEACHER}', to: '${OUTSIDE}', subject: 'Trip', text: 'Coach at nine.' }).compile().build();
      await readMessage(raw, {}, { readImages: () => true });
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('tesseract'));
      console.log(JSON.stringify(loaded));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: resolve('.') });
    expect(JSON.parse(stdout)).toEqual([]);
  });
});

describe('OCR limits: the excess is a finding, never a hang', () => {
  it('images past maxOcrImages are not read, and each is an ocr-limit fact the rules read (not a finding)', async () => {
    const raw = await messageWith('register-crop.png', 'register-crop.gif', 'register-crop.jpg');
    const result = await scan(raw, OUTSIDE, { limits: { maxOcrImages: 1 } });
    expect(pupilNamesAt(result.findings, 'register-crop.png')).toContain('Hannah Cheung');
    const limited = result.view.attachments.filter((attachment) => attachment.facts.some((fact) => fact.kind === 'ocr-limit'));
    expect(limited.map((attachment) => attachment.name)).toEqual(['register-crop.gif', 'register-crop.jpg']);
    expect(ocrFacts(result)[0]?.detail).toContain('more than 1 images');
    expect(result.findings.filter((finding) => finding.location.part === 'attachment' && finding.location.name !== 'register-crop.png')).toEqual([]);
    // Past the limit, an image is most likely a photo: it goes, and the DPO sees it in the digest.
    expect(result.verdict.rules.map((rule) => rule.id)).toContain('images-not-read-to-external');
  });

  it('an image of more pixels than maxOcrPixels is not decoded', async () => {
    const result = await scan(await messageWith('class-list-screenshot.png', 'swimming-groups-scan.pdf'), OUTSIDE, { limits: { maxOcrPixels: 1_000_000 } });
    expect(ocrFacts(result).map((fact) => fact.detail)).toEqual([
      'the image is 1280 x 800 pixels, more than the 1 megapixels read by OCR',
      'page 1 has no text layer and no image OCR could read (an image of more than 1 megapixels is not decoded)',
    ]);
    expect(result.findings.filter((finding) => finding.category === 'pupil-name')).toEqual([]);
  });

  it('an image that takes longer than maxOcrMillis is stopped, and the next message is read as usual', async () => {
    const started = performance.now();
    const slow = await scan(await messageWith('class-list-screenshot.png'), OUTSIDE, { limits: { maxOcrMillis: 50 } });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(ocrFacts(slow).map((fact) => fact.detail)).toEqual(['reading the text in the image by OCR took longer than 50 ms']);
    const next = await scan(await messageWith('register-crop.png'), OUTSIDE);
    expect(pupilNamesAt(next.findings, 'register-crop.png')).toContain('Hannah Cheung');
  });

  it('a damaged image is a finding, not a crash', async () => {
    const png = await fixture('class-list-screenshot.png');
    const damaged = Buffer.concat([png.subarray(0, 200), Buffer.alloc(2_000, 0x41)]);
    const raw = await compose({ subject: 'Photo', attachments: [{ filename: 'photo.png', content: damaged }] });
    const result = await scan(raw, OUTSIDE);
    expect(ocrFacts(result).map((fact) => fact.detail)).toEqual(['the image could not be decoded for OCR: it may be damaged, or in a format not decoded here (such as JPEG 2000)']);
  });

  it('a scanned PDF page whose image pdf.js cannot decode (JPEG 2000) is an ocr-limit fact, not an unreadable PDF', async () => {
    const raw = await compose({ subject: 'Scan', attachments: [{ filename: 'scan.pdf', content: jpeg2000PagePdf() }] });
    const result = await scan(raw, OUTSIDE);
    expect(result.view.attachments[0]?.facts.map((fact) => fact.kind)).toEqual(['ocr-limit']);
    expect(ocrFacts(result).map((fact) => fact.detail)).toEqual([expect.stringContaining('could not be decoded for OCR')]);
    expect(result.verdict.action).toBe('deliver');
  });

  it('the per-file extract time does not count OCR time: a scanned PDF is not cut at maxExtractMillis', async () => {
    const view = await readMessage(await messageWith('swimming-groups-scan.pdf'), { maxExtractMillis: 300 }, { readImages: () => true });
    expect(view.attachments[0]?.facts).toEqual([]);
    expect(view.pieces.some((piece) => piece.location.part === 'attachment' && piece.text.includes('Hannah Cheung'))).toBe(true);
  });
});

/**
 * A one-page PDF with no text layer whose only image is JPEG 2000 (/JPXDecode), which pdf.js
 * decodes only with its WebAssembly decoder, switched off here. Written by hand: the offsets in
 * its cross-reference table are computed as it is built.
 */
function jpeg2000PagePdf(): Buffer {
  const image = Buffer.concat([Buffer.from('0000000c6a5020200d0a870a', 'hex'), Buffer.alloc(200, 0x55)]);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>',
    `<< /Type /XObject /Subtype /Image /Width 600 /Height 800 /Filter /JPXDecode /Length ${image.length} >>\nstream\n${image.toString('latin1')}\nendstream`,
    '<< /Length 29 >>\nstream\nq 600 0 0 800 0 0 cm /Im1 Do Q\nendstream',
  ];
  let pdf = '%PDF-1.5\n';
  const offsets: number[] = [];
  for (const [index, object] of objects.entries()) {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${index + 1} 0 obj\n${object}\nendobj\n`;
  }
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
