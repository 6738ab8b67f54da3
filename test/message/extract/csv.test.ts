import { describe, expect, it } from 'vitest';
import { readAttachment } from '../support/attach.js';

describe('CSV attachments', () => {
  it('keeps the text as written and parses the rows into the table', async () => {
    const csv = 'UPN,Forename,Surname\r\nA123,"Mensah, Kwame",Mensah\r\n\r\nB456, Zoë ,Invented\r\n';
    const { attachment, textOf } = await readAttachment('pupils.csv', csv);
    expect(textOf('pupils.csv')).toBe('UPN,Forename,Surname\nA123,"Mensah, Kwame",Mensah\n\nB456, Zoë ,Invented');
    expect(attachment.tableRows).toEqual([
      ['UPN', 'Forename', 'Surname'],
      ['A123', 'Mensah, Kwame', 'Mensah'],
      ['B456', 'Zoë', 'Invented'],
    ]);
  });

  it.each([
    ['semicolons', 'Forename;Surname\nKwame;Mensah\n'],
    ['tabs', 'Forename\tSurname\nKwame\tMensah\n'],
  ])('finds the delimiter when it is %s', async (_delimiter, csv) => {
    const { attachment } = await readAttachment('export.csv', csv);
    expect(attachment.tableRows).toEqual([
      ['Forename', 'Surname'],
      ['Kwame', 'Mensah'],
    ]);
  });

  it('reads Windows-1252, as Excel saves CSV on a UK PC', async () => {
    const csv = Buffer.from('Forename,Surname\r\nZo\xeb,Invented\r\n', 'latin1');
    const { attachment } = await readAttachment('export.csv', csv, { contentType: 'text/csv' });
    expect(attachment.tableRows[1]).toEqual(['Zoë', 'Invented']);
  });

  it('still reads the text of a file that does not parse as CSV', async () => {
    const { attachment, textOf } = await readAttachment('odd.csv', 'a,"unclosed quote\nKwame Mensah,6\n');
    expect(textOf('odd.csv')).toContain('Kwame Mensah');
    expect(attachment.facts).toEqual([]);
  });

  it('keeps only whole rows when the text limit cuts the file', async () => {
    const csv = Array.from({ length: 100 }, (_, index) => `"Pupil ${index}",Invented`).join('\n');
    const { attachment } = await readAttachment('long.csv', csv, { limits: { maxAttachmentTextChars: 200 } });
    expect(attachment.tableRows.length).toBeGreaterThan(5);
    expect(attachment.tableRows.every((row) => row.length === 2 && row[1] === 'Invented')).toBe(true);
    expect(attachment.facts).toEqual([{ kind: 'unscannable', detail: 'only the first 200 characters of its text were checked' }]);
  });
});
