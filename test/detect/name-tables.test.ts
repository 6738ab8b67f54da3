import { describe, expect, it } from 'vitest';
import { pupilsInTable, tabbedRows } from '../../src/detect/name-tables.js';
import { detectPupilNames } from '../../src/detect/pupil-name.js';
import type { MessageView, TextPiece } from '../../src/message/message-view.js';
import { buildDirectory } from '../../src/roster/directory.js';
import { pupil } from '../roster/people.js';
import { readAttachment } from '../message/support/attach.js';
import { xlsxOf } from '../message/support/documents.js';

const directory = buildDirectory(
  [pupil('P-TF', 'Thomas', 'Fairclough'), pupil('P-AO', 'Aoife', 'Ní Bhriain'), pupil('P-WB', 'Will', 'Brown'), pupil('P-HS', 'Harjot', 'Sandhu')],
  [],
);

const ids = (rows: string[][]): string[] => pupilsInTable(rows, directory).map((name) => name.personId);

describe('pupilsInTable', () => {
  it('pairs the forename and surname cells of each row by the header, whatever lies between', () => {
    const rows = [
      ['Year 4 class list'],
      ['Surname', 'Year', 'Forename', 'Parent email'],
      ['Fairclough', 'Y4', 'Thomas', 'a@example.net'],
      ['NÍ BHRIAIN', 'Y4', 'Aoife', 'b@example.net'],
      ['Sandhu', 'Y4', 'Harjot', ''],
      ['Brown', 'Y4', 'Will', ''],
      ['Nobody', 'Y4', 'Harjot', ''],
    ];
    expect(ids(rows)).toEqual(['P-TF', 'P-AO', 'P-HS', 'P-WB']);
    expect(pupilsInTable(rows, directory)[0]).toMatchObject({ forename: 'Thomas', surname: 'Fairclough', initials: 'T.F.' });
  });

  it('reads short forms and slips in cells like names in text', () => {
    expect(
      ids([
        ['First Name', 'Last Name'],
        ['Tom', 'Fairclough'],
        ['Thomas', 'Fairclogh'],
      ]),
    ).toEqual(['P-TF', 'P-TF']);
  });

  it('reads preferred and legal forename columns, reporting the pupil once a row', () => {
    expect(
      ids([
        ['Legal Forename', 'Preferred Forename', 'Legal Surname'],
        ['Thomas', 'Tom', 'Fairclough'],
      ]),
    ).toEqual(['P-TF']);
  });

  it('needs a header naming both columns', () => {
    expect(
      ids([
        ['Name', 'Other'],
        ['Thomas', 'Fairclough'],
      ]),
    ).toEqual([]);
    expect(
      ids([
        ['Surname', 'Year'],
        ['Fairclough', 'Thomas'],
      ]),
    ).toEqual([]);
  });

  it('keeps the ordinary-word rule: lower-case ordinary words are not names', () => {
    expect(
      ids([
        ['Forename', 'Surname'],
        ['will', 'brown'],
      ]),
    ).toEqual([]);
  });
});

describe('tabbedRows', () => {
  it('reads consecutive tab-separated lines as one table, blank lines inside it allowed', () => {
    expect(tabbedRows('Dear all,\nForename\tGroup\tSurname\t\n\nThomas\tRed\tFairclough\t\nThanks')).toEqual([
      [
        ['Forename', 'Group', 'Surname', ''],
        ['Thomas', 'Red', 'Fairclough', ''],
      ],
    ]);
    expect(tabbedRows('no tables here')).toEqual([]);
  });
});

describe('detectPupilNames on tables', () => {
  const view = (pieces: TextPiece[], tableRows: string[][] = []): MessageView => ({
    messageId: undefined,
    subject: '',
    from: undefined,
    to: [],
    cc: [],
    bcc: [],
    pieces,
    attachments: [{ name: 'list.csv', declaredType: 'text/csv', detectedType: 'text/csv', sizeBytes: 1, facts: [], tableRows }],
    problems: [],
  });
  const context = { envelope: { mailFrom: 'a@example.sch.uk', rcptTo: ['b@example.net'] }, directory, schoolDomains: ['example.sch.uk'] };

  it('reports each pupil of an attachment table once, with the cells as the match', () => {
    const text = 'Forename,Group,Surname\nThomas,Red,Fairclough\nHarjot,Blue,Sandhu';
    const rows = text.split('\n').map((line) => line.split(','));
    const findings = detectPupilNames(view([{ location: { part: 'attachment', name: 'list.csv' }, text }], rows), context);
    expect(findings.map((finding) => [finding.match, finding.pupilId, finding.severity])).toEqual([
      ['Thomas Fairclough', 'P-TF', 'high'],
      ['Harjot Sandhu', 'P-HS', 'high'],
    ]);
  });

  it('reports a pupil of an HTML table in the body, not twice when the text already names them', () => {
    const text = 'Groups:\nForename\tGroup\tSurname\t\nThomas\tRed\tFairclough\t\nHarjot\tSandhu\t\t\n';
    const findings = detectPupilNames(view([{ location: { part: 'body' }, text }]), context);
    expect(findings.map((finding) => [finding.match, finding.pupilId])).toEqual([
      ['Harjot\tSandhu', 'P-HS'],
      ['Thomas Fairclough', 'P-TF'],
    ]);
  });
});

describe('detectPupilNames on real attachments', () => {
  const context = { envelope: { mailFrom: 'a@example.sch.uk', rcptTo: ['b@example.net'] }, directory, schoolDomains: ['example.sch.uk'] };
  const pairs = (view: MessageView) => detectPupilNames(view, context).map((finding) => [finding.location, finding.match, finding.pupilId]);

  it('pairs the name columns of an XLSX sheet', async () => {
    const xlsx = await xlsxOf([
      {
        name: 'Groups',
        rows: [
          ['Surname', 'Group', 'First Name'],
          ['Fairclough', 'Red', 'Thomas'],
          ['Sandhu', 'Blue', 'Harjot'],
        ],
      },
    ]);
    const { view } = await readAttachment('groups.xlsx', xlsx);
    expect(pairs(view)).toEqual([
      [{ part: 'attachment', name: 'groups.xlsx' }, 'Thomas Fairclough', 'P-TF'],
      [{ part: 'attachment', name: 'groups.xlsx' }, 'Harjot Sandhu', 'P-HS'],
    ]);
  });

  it('pairs the name columns of a CSV', async () => {
    const { view } = await readAttachment('groups.csv', 'Surname;Group;Forename\r\nFairclough;Red;Tom\r\n', { contentType: 'text/csv' });
    expect(pairs(view)).toEqual([[{ part: 'attachment', name: 'groups.csv' }, 'Tom Fairclough', 'P-TF']]);
  });
});
