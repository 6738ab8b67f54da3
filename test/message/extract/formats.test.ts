import { toReportJson } from '../../../src/cli/scan-report.js';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Detector } from '../../../src/detect/detector.js';
import type { Finding } from '../../../src/detect/finding.js';
import { loadSchool } from '../../../src/scan/load-school.js';
import type { School } from '../../../src/scan/school.js';
import { scanMessage } from '../../../src/scan/scan-message.js';
import type { ScanResult } from '../../../src/scan/scan-message.js';
import { readAttachment } from '../support/attach.js';
import { compose } from '../support/compose.js';
import { outlookMessage } from '../support/outlook-msg.js';
import { tnefOf } from '../support/tnef.js';

/**
 * Real files made by the real tools (fixtures/formats/README.md), each naming an invented pupil
 * from fixtures/roster/pupils.csv: the name must be found in the file's text, at its path.
 */
let school: School;
let detectors: readonly Detector[];

beforeAll(async () => {
  ({ school, detectors } = await loadSchool({
    id: 'formats',
    domains: ['stmarys-example.sch.uk'],
    rosterPath: resolve('fixtures/roster/pupils.csv'),
    staffPath: resolve('fixtures/roster/staff.csv'),
  }));
});

async function scanWith(fixture: string, contentType?: string, content?: Buffer): Promise<ScanResult> {
  content ??= await readFile(resolve('fixtures/formats', fixture));
  const raw = await compose({ subject: 'Attached', text: 'See attached.', attachments: [{ filename: fixture, content, ...(contentType ? { contentType } : {}) }] });
  return scanMessage(raw, school, detectors, { mailFrom: 'teacher@stmarys-example.sch.uk', rcptTo: ['parent@example.org'] });
}

async function findingsFor(fixture: string, contentType?: string, content?: Buffer): Promise<Finding[]> {
  return [...(await scanWith(fixture, contentType, content)).findings];
}

const pupilNamesAt = (findings: readonly Finding[], path: string) =>
  findings.filter((finding) => finding.category === 'pupil-name' && finding.location.part === 'attachment' && finding.location.name === path).map((finding) => finding.match);

const categories = (findings: readonly Finding[]) => [...new Set(findings.map((finding) => finding.category))];

describe('attachment formats read from real files', () => {
  it('gzip (gzip -9): the file inside, named from the gzip header', async () => {
    const findings = await findingsFor('reading-record.txt.gz');
    expect(pupilNamesAt(findings, 'reading-record.txt.gz/reading-record.txt')).toEqual(['Ella Evans']);
    expect(categories(findings)).not.toContain('attachment/unscannable');
  });

  it('bzip2 (bzip2 -9): the file inside, named after the attachment', async () => {
    const findings = await findingsFor('swimming-register.txt.bz2');
    expect(pupilNamesAt(findings, 'swimming-register.txt.bz2/swimming-register.txt')).toEqual(['Aarav Gupta']);
    expect(categories(findings)).not.toContain('attachment/unscannable');
  });

  const LONG_FOLDER = 'letters/a-folder-name-long-enough-to-need-a-pax-header-because-it-passes-one-hundred-characters-in-all';

  it('tar (GNU tar --format=pax): every file, a path past 100 characters from its pax header', async () => {
    const findings = await findingsFor('letters.tar');
    expect(pupilNamesAt(findings, 'letters.tar/letters/reading-record.txt')).toEqual(['Ella Evans']);
    expect(pupilNamesAt(findings, `letters.tar/${LONG_FOLDER}/swimming-register.txt`)).toEqual(['Aarav Gupta']);
    expect(categories(findings)).not.toContain('attachment/unscannable');
  });

  it('tar without magic (GNU tar --format=v7), known by its name and header checksum', async () => {
    const findings = await findingsFor('reading-record-v7.tar', 'application/octet-stream');
    expect(pupilNamesAt(findings, 'reading-record-v7.tar/letters/reading-record.txt')).toEqual(['Ella Evans']);
  });

  it('tar.gz (GNU tar --format=gnu -z): through the gzip reader, a GNU long name, the decompression budget', async () => {
    const findings = await findingsFor('letters.tgz');
    expect(pupilNamesAt(findings, `letters.tgz/letters.tar/${LONG_FOLDER}/swimming-register.txt`)).toEqual(['Aarav Gupta']);
    const limited = await scanMessage(
      await compose({ subject: 'Attached', text: 'See attached.', attachments: [{ filename: 'letters.tgz', content: await readFile(resolve('fixtures/formats/letters.tgz')) }] }),
      school,
      detectors,
      { mailFrom: 'teacher@stmarys-example.sch.uk', rcptTo: ['parent@example.org'] },
      { maxDecompressedBytes: 4096 },
    );
    expect(categories([...limited.findings])).toContain('attachment/unscannable');
  });

  it('a file named .tar that is not one is unscannable, not read as text', async () => {
    const findings = await findingsFor('broken.tar', 'application/octet-stream', Buffer.from(Array.from({ length: 2048 }, (_, index) => (index * 37) % 256)));
    expect(categories(findings)).toEqual(['attachment/unscannable']);
  });

  it.each([
    ['trip-letter.odt', 'Aarav Gupta'],
    ['marks.ods', 'Hannah Cheung'],
    ['trip-letter.epub', 'Aarav Gupta'],
    ['trip-letter.doc', 'Aarav Gupta'],
    ['trip-letter.rtf', 'Aarav Gupta'],
    ['marks.xls', 'Hannah Cheung'],
  ])('%s: its text', async (fixture, pupil) => {
    const findings = await findingsFor(fixture);
    expect(pupilNamesAt(findings, fixture)).toEqual([pupil]);
    expect(categories(findings)).not.toContain('attachment/unscannable');
  });

  it('OpenDocument spreadsheet: cells separated by tabs, rows on lines of their own', async () => {
    const { textOf, attachment } = await readAttachment('marks.ods', await readFile(resolve('fixtures/formats/marks.ods')));
    expect(textOf('marks.ods')).toBe('Name\tReading age\t\nHannah Cheung\t11');
    expect(attachment.tableRows).toEqual([
      ['Name', 'Reading age'],
      ['Hannah Cheung', '11'],
    ]);
  });

  it('winmail.dat: the body and the files inside (built from the specification: no tool here writes TNEF)', async () => {
    const winmail = tnefOf({ body: 'About Ella Evans', attachments: [{ title: 'notes.txt', data: Buffer.from('Notes on Aarav Gupta') }] });
    const findings = await findingsFor('winmail.dat', 'application/ms-tnef', winmail);
    expect(pupilNamesAt(findings, 'winmail.dat')).toEqual(['Ella Evans']);
    expect(pupilNamesAt(findings, 'winmail.dat/notes.txt')).toEqual(['Aarav Gupta']);
  });

  it('audio and video (sox): a media fact, not a finding nor unscannable, delivered by the default rules', async () => {
    const result = await scanWith('assembly-clip.wav');
    expect(result.findings).toEqual([]);
    expect(result.view.attachments.map((attachment) => [attachment.name, attachment.facts.map((fact) => fact.kind)])).toEqual([['assembly-clip.wav', ['media']]]);
    expect(toReportJson('assembly.eml', result).unread).toEqual([{ name: 'assembly-clip.wav', reason: 'media', detail: expect.stringContaining('audio') }]);
    expect(result.verdict.action).toBe('deliver');
    const video = await findingsFor('clip.mp4', 'video/mp4', Buffer.from('not sniffable'));
    expect(video).toEqual([]);
  });

  it('opaque-signed S/MIME (openssl smime -sign -nodetach): the signed content is read', async () => {
    const findings = await findingsFor('choir-letter.p7m', 'application/pkcs7-mime; smime-type=signed-data');
    expect(pupilNamesAt(findings, 'choir-letter.p7m')).toEqual(['Hannah Cheung']);
    expect(categories(findings)).not.toContain('attachment/password-protected');
  });

  it('an S/MIME certificate bundle (openssl crl2pkcs7 -nocrl): nothing to read, and not unscannable', async () => {
    const result = await scanWith('teacher-certificate.p7c', 'application/pkcs7-mime; smime-type=certs-only');
    expect(categories([...result.findings])).toEqual([]);
    expect(result.verdict.action).toBe('deliver');
  });

  it('a whole message sent opaque-signed is read', async () => {
    const signed = (await readFile(resolve('fixtures/formats/choir-letter.p7m'))).toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw = Buffer.from(
      [
        'Subject: Choir',
        'From: ada.teacher@stmarys-example.sch.uk',
        'To: parent@example.org',
        'Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m',
        'Content-Transfer-Encoding: base64',
        '',
        signed,
      ].join('\r\n'),
    );
    const result = await scanMessage(raw, school, detectors);
    expect(pupilNamesAt([...result.findings], 'smime.p7m')).toEqual(['Hannah Cheung']);
  });

  it('Excel 97-2003 (LibreOffice): its rows, as text and as the table', async () => {
    const { textOf, attachment } = await readAttachment('marks.xls', await readFile(resolve('fixtures/formats/marks.xls')));
    expect(textOf('marks.xls')).toBe('marks\nName\tReading age\nHannah Cheung\t11');
    expect(attachment.tableRows).toEqual([
      ['Name', 'Reading age'],
      ['Hannah Cheung', '11'],
    ]);
  });

  it('Outlook .msg: its body and attached files (built with cfb: no tool here writes .msg)', async () => {
    const findings = await findingsFor('consent.msg', 'application/vnd.ms-outlook', outlookMessage());
    expect(pupilNamesAt(findings, 'consent.msg')).toEqual(['Aarav Gupta']);
    expect(pupilNamesAt(findings, 'consent.msg/consent form.txt')).toEqual(['Aarav Gupta']);
  });

  it('PowerPoint 97-2003 (LibreOffice; kept gzipped, so read through the gzip reader): its slides', async () => {
    const findings = await findingsFor('sports-day.ppt.gz');
    expect(pupilNamesAt(findings, 'sports-day.ppt.gz/sports-day.ppt')).toEqual(['Ella Evans']);
    expect(categories(findings)).not.toContain('attachment/unscannable');
  });

  it.each([
    'reading-record.txt.gz',
    'swimming-register.txt.bz2',
    'trip-letter.odt',
    'marks.ods',
    'trip-letter.epub',
    'trip-letter.doc',
    'trip-letter.rtf',
    'marks.xls',
    'choir-letter.p7m',
    'sports-day.ppt.gz',
  ])('%s cut in half still gets a verdict, and says what could not be read', async (fixture) => {
    const whole = await readFile(resolve('fixtures/formats', fixture));
    const result = await scanWith(fixture, undefined, whole.subarray(0, Math.floor(whole.length / 2)));
    expect(['deliver', 'encrypt', 'quarantine', 'return']).toContain(result.verdict.action);
    const facts = result.view.attachments.flatMap((attachment) => attachment.facts.map((fact) => fact.kind));
    expect(fixture === 'trip-letter.rtf' || facts.includes('unscannable')).toBe(true);
  });
});
