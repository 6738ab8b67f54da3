import { describe, expect, it } from 'vitest';
import { createAttachmentDetector } from '../../src/detect/attachments.js';
import type { AttachmentFact, AttachmentView, TextPiece } from '../../src/message/message-view.js';
import { fakeContext, fakeDirectory, fakeView } from './fake-directory.js';

const PUPILS = [
  ['P01', 'Amara', 'Okonkwo'],
  ['P02', 'Tobias', 'Renwick'],
  ['P03', 'Isla', 'Fairbairn'],
  ['P04', 'Kofi', 'Asante'],
  ['P05', 'Maisie', 'Thorncroft'],
  ['P06', 'Dmitri', 'Volkov'],
  ['P07', 'Freya', 'Lindqvist'],
  ['P08', 'Rohan', 'Mehta'],
  ['P09', 'Niamh', 'Gallagher'],
  ['P10', 'Yusuf', 'Demir'],
  ['P11', 'Elsie', 'Pennington'],
  ['P12', 'Kai', 'Nakamura'],
] as const;

const directory = fakeDirectory(PUPILS.map(([id, forename, surname]) => ({ id, forename, surname })));
const context = fakeContext({ directory });
const detect = createAttachmentDetector({ bulkRowThreshold: 10 });

function attachment(name: string, parts: Partial<AttachmentView> = {}): AttachmentView {
  return { name, declaredType: 'application/octet-stream', detectedType: 'application/octet-stream', sizeBytes: 1000, facts: [], tableRows: [], ...parts };
}

function scan(attachments: AttachmentView[], pieces: TextPiece[] = []) {
  return detect(fakeView({ attachments, pieces }), context);
}

const pupilRows = (count: number) => PUPILS.slice(0, count).map(([, forename, surname]) => [forename, surname, '6B']);

describe('attachment detector: facts', () => {
  it.each<[AttachmentFact, string, string]>([
    [{ kind: 'executable', detail: 'a Windows program' }, 'attachment/executable', 'high'],
    [{ kind: 'password-protected', detail: 'the PDF needs a password to open' }, 'attachment/password-protected', 'low'],
    [{ kind: 'unscannable', detail: 'this PDF could not be read; it may be damaged.' }, 'attachment/unscannable', 'medium'],
  ])('turns %o into a finding at the attachment', (fact, category, severity) => {
    const findings = scan([attachment('invoice.pdf', { facts: [fact] })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      detector: 'attachments',
      category,
      severity,
      location: { part: 'attachment', name: 'invoice.pdf' },
      match: 'invoice.pdf',
    });
    expect(findings[0]?.explanation).toContain(fact.detail.replace(/\.$/, ''));
    expect(findings[0]?.explanation).not.toContain('..');
    expect(findings[0]?.suggestion).toBeTruthy();
  });

  it('reports every fact of every attachment, archive members by their path', () => {
    const findings = scan([
      attachment('notes.zip', { facts: [{ kind: 'password-protected', detail: '2 of 3 files in the archive are encrypted' }] }),
      attachment('notes.zip/run.bat', { facts: [{ kind: 'executable', detail: 'a program or script (.bat file)' }] }),
      attachment('worksheet.docx'),
    ]);
    expect(findings.map((finding) => [finding.category, finding.location])).toEqual([
      ['attachment/password-protected', { part: 'attachment', name: 'notes.zip' }],
      ['attachment/executable', { part: 'attachment', name: 'notes.zip/run.bat' }],
    ]);
  });

  it('reports an encrypted archive’s password once, at the archive, but its members’ other facts', () => {
    const encrypted: AttachmentFact = { kind: 'password-protected', detail: 'the file is encrypted inside the archive' };
    const findings = scan([
      attachment('notes.zip', { facts: [{ kind: 'password-protected', detail: '1 of 2 files in the archive are encrypted' }] }),
      attachment('notes.zip/notes.txt', { facts: [encrypted] }),
      attachment('notes.zip/tool.exe', { facts: [encrypted, { kind: 'executable', detail: 'a Windows program' }] }),
      attachment('notes.zipper.docx', { facts: [{ kind: 'password-protected', detail: 'the Office document is encrypted with a password' }] }),
    ]);
    expect(findings.map((finding) => [finding.category, finding.match])).toEqual([
      ['attachment/password-protected', 'notes.zip'],
      ['attachment/executable', 'notes.zip/tool.exe'],
      ['attachment/password-protected', 'notes.zipper.docx'],
    ]);
  });

  it('turns every message-level problem into an unscannable finding at the body', () => {
    const view = fakeView({
      problems: [
        { kind: 'too-large', detail: 'the message is larger than 25 MB; only its first 25 MB were checked' },
        { kind: 'timeout', detail: 'the message took too long to read; only the part read in time was checked' },
      ],
    });
    const findings = detect(view, context);
    expect(findings.map((finding) => [finding.category, finding.severity, finding.location, finding.match])).toEqual([
      ['attachment/unscannable', 'medium', { part: 'body' }, 'too-large'],
      ['attachment/unscannable', 'medium', { part: 'body' }, 'timeout'],
    ]);
    expect(findings[0]?.explanation).toBe(
      'Part of this message could not be checked: the message is larger than 25 MB; only its first 25 MB were checked. What was not read may hold personal data.',
    );
  });

  it('finds nothing in a clean message', () => {
    expect(scan([attachment('menu.pdf')], [{ location: { part: 'attachment', name: 'menu.pdf' }, text: 'Fish on Friday' }])).toEqual([]);
  });
});

describe('attachment detector: bulk personal data', () => {
  it('fires on a table with a pupil in each of at least the threshold of rows', () => {
    const findings = scan([attachment('6B.csv', { tableRows: [['Class list'], ...pupilRows(10)] })]);
    expect(findings).toEqual([
      expect.objectContaining({
        category: 'attachment/bulk-personal-data',
        severity: 'critical',
        location: { part: 'attachment', name: '6B.csv' },
        match: '6B.csv',
        explanation: expect.stringContaining('10 of its rows each name a pupil'),
      }),
    ]);
  });

  it('does not fire on fewer rows naming pupils and no personal header', () => {
    expect(scan([attachment('group.csv', { tableRows: pupilRows(9) })])).toEqual([]);
  });

  it('finds names split over surname-first columns', () => {
    const rows = PUPILS.slice(0, 10).map(([, forename, surname]) => [`${surname.toUpperCase()}, ${forename}`, 'Y6']);
    expect(scan([attachment('dups.xlsx', { tableRows: rows })]).map((finding) => finding.category)).toEqual(['attachment/bulk-personal-data']);
  });

  it.each([
    ['Forename and Surname', ['Forename', 'Surname', 'Reading age']],
    ['DOB', ['Ref', 'D.O.B.', 'Score']],
    ['UPN', ['UPN', 'Mark']],
    ['Address', ['Who', 'Home address']],
    ['Name with Email', ['Name', 'Email']],
  ])('fires on %s columns over threshold data rows of people not on the roster', (_label, header) => {
    const rows = Array.from({ length: 10 }, (_, index) => header.map((_column, column) => `value ${index}-${column}`));
    const findings = scan([attachment('export.xlsx', { tableRows: [['Export'], header, ...rows] })]);
    expect(findings.map((finding) => finding.category)).toEqual(['attachment/bulk-personal-data']);
    expect(findings[0]?.explanation).toContain('a table of 10 rows with personal columns');
  });

  it.each([
    ['a name-like header with too few rows', ['Forename', 'Surname'], 9],
    ['Name alone (products, rooms)', ['Name', 'Price'], 30],
    ['no personal columns', ['Item', 'Cost', 'Budget code'], 50],
  ])('does not fire on %s', (_label, header, count) => {
    const rows = Array.from({ length: count }, (_, index) => header.map(() => `x${index}`));
    expect(scan([attachment('budget.xlsx', { tableRows: [header, ...rows] })])).toEqual([]);
  });

  it('fires on a class list in a document: enough different pupils named in its text', () => {
    const text = PUPILS.slice(0, 10)
      .map(([, forename, surname]) => `${forename} ${surname} has settled in well.`)
      .join('\n');
    const findings = scan([attachment('report.docx')], [{ location: { part: 'attachment', name: 'report.docx' }, text }]);
    expect(findings.map((finding) => [finding.category, finding.explanation])).toEqual([['attachment/bulk-personal-data', expect.stringContaining('names 10 different pupils')]]);
  });

  it('counts a pupil named again and again once, and only in that attachment’s own text', () => {
    const often = 'Amara Okonkwo did well. '.repeat(20);
    const others = PUPILS.slice(1, 10)
      .map(([, forename, surname]) => `${forename} ${surname}`)
      .join(', ');
    const findings = scan(
      [attachment('one.docx'), attachment('two.docx')],
      [
        { location: { part: 'attachment', name: 'one.docx' }, text: often },
        { location: { part: 'attachment', name: 'two.docx' }, text: others },
        { location: { part: 'body' }, text: others },
      ],
    );
    expect(findings).toEqual([]);
  });

  it('fires on a class list written as a table in the body, with forename and surname columns apart', () => {
    const rows = PUPILS.slice(0, 10).map(([, forename, surname]) => `${forename}\tRed\t${surname}\t`);
    const body = `Hi,\n\nThe new groups:\n\nFirst name\tGroup\tLast name\t\n${rows.join('\n')}\n\nThanks`;
    const findings = detect(fakeView({ body }), context);
    expect(findings).toEqual([
      expect.objectContaining({
        category: 'attachment/bulk-personal-data',
        severity: 'critical',
        location: { part: 'body' },
        match: 'First name Group Last name',
        explanation: expect.stringContaining('10 of its rows each name a pupil'),
      }),
    ]);
  });

  it('reports a body table once when the plain and HTML alternatives both show it', () => {
    const table = ['Name\tEmail\tPhone', ...Array.from({ length: 12 }, (_, index) => `Parent ${index}\tp${index}@example.org\t0${index}`)].join('\n');
    const view = fakeView({
      pieces: [
        { location: { part: 'body' }, text: table },
        { location: { part: 'body' }, text: `Hello\n${table}` },
      ],
    });
    expect(detect(view, context).map((finding) => [finding.category, finding.location.part])).toEqual([['attachment/bulk-personal-data', 'body']]);
  });

  it('does not fire on a small table, a table of things, or pupils named in the body’s prose', () => {
    const few = ['Forename\tSurname', ...PUPILS.slice(0, 9).map(([, forename, surname]) => `${forename}\t${surname}`)].join('\n');
    const things = ['Name\tPrice', ...Array.from({ length: 30 }, (_, index) => `Item ${index}\t£${index}`)].join('\n');
    const prose = PUPILS.map(([, forename, surname]) => `${forename} ${surname} read aloud.`).join(' ');
    for (const body of [few, things, prose]) expect(detect(fakeView({ body }), context)).toEqual([]);
  });

  it('honours the configured threshold', () => {
    const small = createAttachmentDetector({ bulkRowThreshold: 3 });
    const view = fakeView({ attachments: [attachment('trio.csv', { tableRows: pupilRows(3) })] });
    expect(small(view, context).map((finding) => finding.category)).toEqual(['attachment/bulk-personal-data']);
  });

  it.each([0, 2.5, Number.NaN])('refuses a threshold of %s when built', (bulkRowThreshold) => {
    expect(() => createAttachmentDetector({ bulkRowThreshold })).toThrow(expect.objectContaining({ code: 'ATTACHMENT_DETECTOR_OPTIONS_INVALID', disposition: 'configuration' }));
  });
});
