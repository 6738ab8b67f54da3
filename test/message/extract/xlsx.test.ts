import { describe, expect, it } from 'vitest';
import { factKinds, readAttachment } from '../support/attach.js';
import { encryptOffice, xlsxOf } from '../support/documents.js';

describe('Excel attachments', () => {
  it('reads every sheet, hidden ones too, and takes the first sheet with rows as the table', async () => {
    const xlsx = await xlsxOf([
      { name: 'Empty', rows: [] },
      {
        name: 'Class 6B',
        rows: [
          ['Forename', 'Surname', 'DOB', 'Age'],
          ['  Kwame ', 'Mensah', new Date(Date.UTC(2014, 2, 7)), { formula: '2+9', result: 11 }],
          ['Zoë', 'Invented', null, 10],
        ],
      },
      { name: 'Notes', hidden: true, rows: [['Hidden note about Kwame Mensah']] },
    ]);
    const { attachment, textOf } = await readAttachment('class list.xlsx', xlsx);
    expect(attachment.tableRows).toEqual([
      ['Forename', 'Surname', 'DOB', 'Age'],
      ['Kwame', 'Mensah', '07/03/2014', '11'],
      ['Zoë', 'Invented', '', '10'],
    ]);
    expect(textOf('class list.xlsx')).toBe(
      'Empty\nClass 6B\nForename\tSurname\tDOB\tAge\nKwame\tMensah\t07/03/2014\t11\nZoë\tInvented\t\t10\nNotes\nHidden note about Kwame Mensah',
    );
    expect(attachment.facts).toEqual([]);
  });

  it('marks a password-protected workbook as password-protected, not unscannable', async () => {
    const xlsx = encryptOffice(await xlsxOf([{ name: 'Secret', rows: [['Kwame Mensah']] }]));
    const { attachment, textOf } = await readAttachment('secret.xlsx', xlsx);
    expect(attachment.detectedType).toBe('application/x-cfb');
    expect(attachment.facts).toEqual([{ kind: 'password-protected', detail: 'the Office document is encrypted with a password' }]);
    expect(textOf('secret.xlsx')).toBe('');
  });

  it('stops reading rows at maxAttachmentTextChars', async () => {
    const rows = Array.from({ length: 500 }, (_, index) => [`Pupil ${index}`, 'Invented']);
    const { attachment } = await readAttachment('long.xlsx', await xlsxOf([{ name: 'List', rows }]), {
      limits: { maxAttachmentTextChars: 1000 },
    });
    expect(attachment.tableRows.length).toBeLessThan(100);
    expect(factKinds(attachment)).toEqual(['unscannable']);
  });
});
