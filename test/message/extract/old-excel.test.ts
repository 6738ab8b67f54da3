import { describe, expect, it } from 'vitest';
import { readAttachment } from '../support/attach.js';
import { compoundFileOf } from '../support/documents.js';
import { biff4Worksheet, biff5Workbook, biffRecord } from '../support/old-excel.js';

/** Excel 2.x-5.0/95 workbooks, still found in school archives: read, not held as unscannable. */
describe('Excel workbooks from before Excel 97', () => {
  it('Excel 5.0/95 (BIFF5 in a `Book` stream): each sheet by name, its labels in the code page, numbers', async () => {
    const book = biff5Workbook([
      {
        name: 'Reading',
        rows: [
          ['Name', 'Reading age'],
          ['Zoë Quennell', 11.5],
        ],
      },
      { name: 'Notes', rows: [['Lunch club', 3]] },
    ]);
    const { textOf, attachment } = await readAttachment('reading.xls', compoundFileOf({ Book: book }));
    expect(attachment.facts).toEqual([]);
    expect(textOf('reading.xls')).toBe('Reading\nName\tReading age\nZoë Quennell\t11.5\nNotes\nLunch club\t3');
    expect(attachment.tableRows).toEqual([
      ['Name', 'Reading age'],
      ['Zoë Quennell', '11.5'],
    ]);
  });

  it('Excel 4.0 (a bare BIFF4 stream, no compound file): its cells', async () => {
    const { textOf, attachment } = await readAttachment(
      'register.xls',
      biff4Worksheet([
        ['Pupil', 'Sessions'],
        ['Idris Penhaligon', 38],
      ]),
    );
    expect(attachment.facts).toEqual([]);
    expect(textOf('register.xls')).toBe('Sheet1\nPupil\tSessions\nIdris Penhaligon\t38');
  });

  it('an Excel 97-2003 stream named in capitals (`WORKBOOK`): names in a compound file ignore case', async () => {
    const { attachment } = await readAttachment('caps.xls', compoundFileOf({ WORKBOOK: biff5Workbook([{ name: 'S', rows: [['x']] }]) }));
    expect(attachment.facts).toEqual([]);
  });

  it('an Excel 5.0/95 workbook with a FILEPASS record is password-protected', async () => {
    const book = biff5Workbook([{ name: 'S', rows: [['x']] }]);
    const locked = Buffer.concat([book.subarray(0, 12), biffRecord(0x002f, Buffer.alloc(4)), book.subarray(12)]);
    const { attachment } = await readAttachment('locked.xls', compoundFileOf({ Book: locked }));
    expect(attachment.facts).toEqual([{ kind: 'password-protected', detail: 'the Excel workbook is encrypted with a password' }]);
  });

  it('a file that only starts like a BIFF4 record, with an unknown substream, is still unscannable', async () => {
    const bytes = Buffer.concat([biffRecord(0x0409, Buffer.from([0, 0, 0x77, 0x77, 0, 0])), Buffer.from(Array.from({ length: 600 }, (_, index) => (index * 37) % 256))]);
    const { attachment } = await readAttachment('odd.xls', bytes);
    expect(attachment.facts.map((fact) => fact.kind)).toEqual(['unscannable']);
  });
});
