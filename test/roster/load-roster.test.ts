import { describe, expect, it } from 'vitest';
import { loadPupilsCsv, loadStaffCsv, parsePupilsCsv, parseStaffCsv, RosterError } from '../../src/roster/load-roster.js';
import type { Pupil } from '../../src/roster/roster.js';

const CASES = new URL('../../fixtures/roster-cases/', import.meta.url).pathname;

function csv(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

function pupils(text: string): Pupil[] {
  return parsePupilsCsv(csv(text), 'pupils.csv');
}

/** The RosterError a parse throws, or a failure if it does not throw one. */
function rosterError(parse: () => unknown): RosterError {
  try {
    parse();
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected a RosterError');
}

describe('parsePupilsCsv: the docs/architecture.md roster headers', () => {
  const aliases: readonly [string, string, (pupil: Pupil) => unknown, unknown][] = [
    ['UPN', 'X1', (p) => p.id, 'X1'],
    ['Id', 'X2', (p) => p.id, 'X2'],
    ['Pupil Id', 'X3', (p) => p.id, 'X3'],
    ['SIS ID', 'X4', (p) => p.id, 'X4'],
    ['Preferred Forename', 'Kof', (p) => p.preferredForename, 'Kof'],
    ['Preferred Name', 'Kof', (p) => p.preferredForename, 'Kof'],
    ['Known As', 'Kof', (p) => p.preferredForename, 'Kof'],
    ['Middle Names', 'Ato Yaw', (p) => p.middleNames, ['Ato', 'Yaw']],
    ['Middle Name', 'Ato', (p) => p.middleNames, ['Ato']],
    ['Middle Name(s)', 'Ato', (p) => p.middleNames, ['Ato']],
    ['Preferred Surname', 'Osei', (p) => p.preferredSurname, 'Osei'],
    ['DOB', '04/09/2015', (p) => p.dateOfBirth, '2015-09-04'],
    ['Date of Birth', '2015-09-04', (p) => p.dateOfBirth, '2015-09-04'],
    ['Year', '4', (p) => p.year, '4'],
    ['Year Group', 'Year 4', (p) => p.year, 'Year 4'],
    ['NC Year', '4', (p) => p.year, '4'],
    ['Reg', '4M', (p) => p.className, '4M'],
    ['Reg Group', '4M', (p) => p.className, '4M'],
    ['Form', '4M', (p) => p.className, '4M'],
    ['Class', 'Kestrels', (p) => p.className, 'Kestrels'],
    ['Contact Emails', 'A@Example.net', (p) => p.contactEmails, ['a@example.net']],
    ['Parent Email', 'a@example.net', (p) => p.contactEmails, ['a@example.net']],
    ['Primary Contact Email', 'a@example.net', (p) => p.contactEmails, ['a@example.net']],
    ['Email', 'K@Pupils.example.sch.uk', (p) => p.email, 'k@pupils.example.sch.uk'],
    ['Pupil Email', 'k@pupils.example.sch.uk', (p) => p.email, 'k@pupils.example.sch.uk'],
  ];
  it.each(aliases)('reads %s', (header, value, read, expected) => {
    const [pupil] = pupils(`Forename,Surname,${header}\nKwabena,Asante,"${value}"\n`);
    expect(pupil && read(pupil)).toEqual(expected);
  });

  it.each(['Legal Forename', 'Forename', 'First Name', 'FirstName', 'Given Name'])('reads the forename from %s', (header) => {
    expect(pupils(`${header},Surname\nKwabena,Asante\n`)[0]?.legalForename).toBe('Kwabena');
  });

  it.each(['Legal Surname', 'Surname', 'Last Name', 'LastName', 'Family Name'])('reads the surname from %s', (header) => {
    expect(pupils(`Forename,${header}\nKwabena,Asante\n`)[0]?.legalSurname).toBe('Asante');
  });

  it('matches headers without regard to case, surrounding or repeated spaces', () => {
    const [pupil] = pupils('  legal   FORENAME ,LEGAL surname,  upn\nKwabena,Asante,X9\n');
    expect(pupil).toMatchObject({ id: 'X9', legalForename: 'Kwabena', legalSurname: 'Asante' });
  });

  it('reads a whole MIS export with every field', async () => {
    const loaded = await loadPupilsCsv(`${CASES}mis-pupils.csv`);
    expect(loaded).toEqual([
      {
        id: 'A123456789012',
        legalForename: 'Kwame',
        preferredForename: undefined,
        middleNames: ['Kofi'],
        legalSurname: 'Mensah',
        preferredSurname: undefined,
        dateOfBirth: '2015-09-04',
        year: 'Year 4',
        className: '4M',
        contactEmails: ['ama.mensah@example.net', 'kofi.mensah@example.org'],
        email: 'kmensah@pupils.example.sch.uk',
      },
      {
        id: 'B123456789012',
        legalForename: 'Siobhán',
        preferredForename: 'Shiv',
        middleNames: [],
        legalSurname: 'O’Brien',
        preferredSurname: undefined,
        dateOfBirth: '2014-11-30',
        year: 'Year 5',
        className: '5B',
        contactEmails: ['obrien.family@example.com'],
        email: undefined,
      },
      {
        id: 'C123456789012',
        legalForename: 'Mary Jane',
        preferredForename: undefined,
        middleNames: [],
        legalSurname: 'Van der Berg',
        preferredSurname: 'Smith-Jones',
        dateOfBirth: '2016-02-01',
        year: 'Year 3',
        className: '3S',
        contactEmails: [],
        email: undefined,
      },
    ]);
  });
});

describe('parsePupilsCsv: values', () => {
  it.each([
    ['04/09/2015', '2015-09-04'],
    ['4/9/2015', '2015-09-04'],
    ['29/02/2016', '2016-02-29'],
    ['2015-09-04', '2015-09-04'],
    ['20150904', '2015-09-04'],
    ['04/09/2015 00:00', '2015-09-04'],
    ['2015-09-04T00:00:00Z', '2015-09-04'],
  ])('reads the date %s as %s', (written, iso) => {
    expect(pupils(`Forename,Surname,DOB\nKwabena,Asante,${written}\n`)[0]?.dateOfBirth).toBe(iso);
  });

  it('leaves an empty date undefined', () => {
    expect(pupils('Forename,Surname,DOB\nKwabena,Asante,\n')[0]?.dateOfBirth).toBeUndefined();
  });

  it('splits contact emails on ; and gathers every contact column, lower-cased and without repeats', () => {
    const [pupil] = pupils('Forename,Surname,Contact Emails,Parent Email\nKwabena,Asante,"Ama@Example.net; kofi@example.org;",ama@example.net\n');
    expect(pupil?.contactEmails).toEqual(['ama@example.net', 'kofi@example.org']);
  });

  it('tidies spacing in names and drops a preferred name that repeats the legal one', () => {
    const [pupil] = pupils('Forename,Preferred Forename,Surname\n  Mary   Jane ,mary jane,  Asante \n');
    expect(pupil).toMatchObject({ legalForename: 'Mary Jane', preferredForename: undefined, legalSurname: 'Asante' });
  });

  it('prefers the UPN to the export id, and falls back to the id where a row has no UPN', () => {
    const loaded = pupils('Id,UPN,Forename,Surname\n17,K801200001001,Kwabena,Asante\n18,,Efua,Asante\n');
    expect(loaded.map((pupil) => pupil.id)).toEqual(['K801200001001', '18']);
  });

  it('numbers pupils by row when the export has no id column at all', () => {
    expect(pupils('Forename,Surname\nKwabena,Asante\n\nEfua,Asante\n').map((pupil) => pupil.id)).toEqual(['row-2', 'row-4']);
  });

  it('skips rows that are entirely empty, as spreadsheets export them', () => {
    expect(pupils('Forename,Surname\nKwabena,Asante\n,\n , \n')).toHaveLength(1);
  });

  it.each([
    ['tab-separated.csv', 'Eseld'],
    ['semicolon-separated.csv', 'Jenifer'],
  ])('detects the delimiter of %s', async (file, forename) => {
    const [pupil] = await loadPupilsCsv(`${CASES}${file}`);
    expect(pupil?.legalForename).toBe(forename);
  });

  it('keeps ; inside a quoted cell of a ;-separated file as a contact separator', async () => {
    const [pupil] = await loadPupilsCsv(`${CASES}semicolon-separated.csv`);
    expect(pupil?.contactEmails).toEqual(['a@example.net', 'b@example.net']);
  });

  it.each(['utf8-bom.csv', 'utf16le-bom.csv', 'utf16be-bom.csv'])('reads %s', async (file) => {
    const [pupil] = await loadPupilsCsv(`${CASES}${file}`);
    expect(pupil).toMatchObject({ id: 'E1', legalForename: 'Zoë', legalSurname: 'Trelawny' });
  });
});

describe('parsePupilsCsv: School Data Sync files', () => {
  it('reads an SDS v1 Student.csv', async () => {
    const loaded = await loadPupilsCsv(`${CASES}sds-v1-student.csv`);
    expect(loaded).toEqual([
      expect.objectContaining({
        id: '91001',
        legalForename: 'Tobiah',
        legalSurname: 'Quenby',
        middleNames: ['Ellis'],
        year: '4',
        dateOfBirth: '2015-03-02',
        email: 'tquenby@pupils.example.sch.uk',
      }),
      // A username that is not an address is not taken for one.
      expect.objectContaining({ id: '91002', legalForename: 'Ysolde', dateOfBirth: '2014-07-11', email: undefined }),
    ]);
  });

  it('reads the UK variant with an ID column and a secondary email', async () => {
    const [pupil] = await loadPupilsCsv(`${CASES}sds-uk-student.csv`);
    expect(pupil).toMatchObject({ id: '92001', legalForename: 'Oriel', legalSurname: 'Pascoe', year: '6', email: 'oriel.pascoe@pupils.example.sch.uk' });
  });

  it('takes only students from an SDS v2 users.csv, whatever the role is capitalised as', async () => {
    const loaded = await loadPupilsCsv(`${CASES}sds-v2-users.csv`);
    expect(loaded.map((pupil) => [pupil.id, pupil.legalForename, pupil.email])).toEqual([
      ['93001', 'Tamsin', 'tkerrow@pupils.example.sch.uk'],
      ['93002', 'Jory', 'jpenhale@pupils.example.sch.uk'],
    ]);
  });

  it('reads every row of an SDS v2.1 users.csv, whose roles live in roles.csv', async () => {
    const loaded = await loadPupilsCsv(`${CASES}sds-v21-users.csv`);
    expect(loaded).toEqual([
      expect.objectContaining({ id: '96001', legalForename: 'Demelza', middleNames: ['Ione'], email: 'dnancarrow@pupils.example.sch.uk' }),
      expect.objectContaining({ id: '96002', legalForename: 'Bryok', email: 'bpascoe@pupils.example.sch.uk' }),
    ]);
  });
});

describe('parseStaffCsv', () => {
  it('reads staff with the same name headers', async () => {
    expect(await loadStaffCsv(`${CASES}staff.csv`)).toEqual([
      {
        id: 'T01',
        legalForename: 'Joanna',
        preferredForename: 'Jo',
        middleNames: [],
        legalSurname: 'Bell',
        preferredSurname: undefined,
        email: 'jo.bell@example.sch.uk',
      },
      {
        id: 'T02',
        legalForename: 'Peran',
        preferredForename: undefined,
        middleNames: [],
        legalSurname: 'Trevail',
        preferredSurname: undefined,
        email: 'p.trevail@example.sch.uk',
      },
    ]);
  });

  it('takes the staff from an SDS v2 users.csv: not students, not parents', async () => {
    const loaded = await loadStaffCsv(`${CASES}sds-v2-users.csv`);
    expect(loaded.map((member) => member.id)).toEqual(['94001', '94002']);
  });

  it('refuses a staff file without a surname column', () => {
    expect(() => parseStaffCsv(csv('Staff Id,First Name\nT1,Joanna\n'), 'staff.csv')).toThrow(RosterError);
  });
});

describe('parsePupilsCsv: refusing bad exports with the file, row and column', () => {
  it('needs a surname column', () => {
    const error = rosterError(() => pupils('UPN,Forename,Family\nX1,Kwabena,Asante\n'));
    expect(error).toMatchObject({ code: 'roster-invalid', file: 'pupils.csv', row: 1, column: undefined });
    expect(error.message).toMatch(/^pupils\.csv, row 1: no surname column: the header row needs one of Legal Surname, Surname/);
  });

  it('needs a forename column', () => {
    const error = rosterError(() => pupils('UPN,Surname\nX1,Asante\n'));
    expect(error).toMatchObject({ file: 'pupils.csv', row: 1 });
    expect(error.message).toContain('no forename column');
  });

  it('names the row that has too many cells', () => {
    const error = rosterError(() => pupils('UPN,Forename,Surname\nX1,Kwabena,Asante\nX2,Efua,Asante,extra\n'));
    expect(error).toMatchObject({ file: 'pupils.csv', row: 3 });
    expect(error.message).toBe('pupils.csv, row 3: this row has 4 cells but the header has 3; check for a missing or extra separator');
  });

  it('names the row that has too few cells, counting blank lines as a spreadsheet does', () => {
    const error = rosterError(() => pupils('UPN,Forename,Surname\nX1,Kwabena,Asante\n\nX2,Efua\n'));
    expect(error.row).toBe(4);
  });

  it('counts a multi-line quoted cell as one row', () => {
    const error = rosterError(() => pupils('UPN,Forename,Surname\nX1,"Kwa\nbena",Asante\nX2,,Asante\n'));
    expect(error).toMatchObject({ row: 3, column: 'Forename' });
  });

  it('names the row and column of a quote that is never closed', () => {
    const error = rosterError(() => pupils('UPN,Forename,Surname\nX1,Kwabena,Asante\nX2,"Efua,Asante\nX3,Yaw,Boateng\n'));
    expect(error).toMatchObject({ row: 3, column: 'Forename' });
    expect(error.message).toBe('pupils.csv, row 3, column "Forename" (column B): a quoted cell starting here is never closed (a closing " is missing)');
  });

  it('names the row and column of a stray quote', () => {
    const error = rosterError(() => pupils('UPN,Forename,Surname\nX1,Kwabena,Asan"te\n'));
    expect(error).toMatchObject({ row: 2, column: 'Surname' });
  });

  it('names the row and column of an empty surname', () => {
    const error = rosterError(() => pupils('UPN,Forename,Legal Surname\nX1,Kwabena,Asante\nX2,Efua, \n'));
    expect(error).toMatchObject({ row: 3, column: 'Legal Surname' });
    expect(error.message).toBe('pupils.csv, row 3, column "Legal Surname" (column C): the surname is empty');
  });

  it('names the row and column of an empty forename', () => {
    const error = rosterError(() => pupils('Legal Surname,Legal Forename\nAsante,\n'));
    expect(error).toMatchObject({ row: 2, column: 'Legal Forename' });
  });

  it.each(['31/02/2015', '12/19/2015', '2015-13-01', 'next week', '04-09-2015'])('names the row and column of the invalid date %s', (date) => {
    const error = rosterError(() => pupils(`UPN,Forename,Surname,Date of Birth\nX1,Kwabena,Asante,01/01/2015\nX2,Efua,Asante,${date}\n`));
    expect(error).toMatchObject({ row: 3, column: 'Date of Birth' });
    expect(error.message).toContain('not a date: write dates as dd/mm/yyyy or yyyy-mm-dd');
  });

  it('refuses a duplicate id, naming both rows', () => {
    const error = rosterError(() => pupils('UPN,Forename,Surname\nX1,Kwabena,Asante\nX2,Efua,Asante\nX1,Yaw,Boateng\n'));
    expect(error).toMatchObject({ row: 4, column: 'UPN' });
    expect(error.message).toContain('also used on row 2');
  });

  it('refuses bytes that are not UTF-8, naming the row of the first bad byte', async () => {
    const error = await loadPupilsCsv(`${CASES}windows-1252.csv`).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(RosterError);
    expect(error).toMatchObject({ row: 2 });
    expect(String(error)).toContain('not UTF-8: save the export as CSV UTF-8');
  });

  it('finds the bad byte on a later line', () => {
    const bytes = Buffer.concat([csv('UPN,Forename,Surname\nX1,Kwabena,Asante\nX2,Efua,Asante\nX3,Zo'), Buffer.from([0xeb]), csv(',Boateng\n')]);
    expect(rosterError(() => parsePupilsCsv(bytes, 'pupils.csv')).row).toBe(4);
  });

  it('refuses UTF-16 without a byte-order mark', () => {
    const bytes = Buffer.from('UPN,Forename,Surname\nX1,Kwabena,Asante\n', 'utf16le');
    expect(rosterError(() => parsePupilsCsv(bytes, 'pupils.csv')).message).toContain('not UTF-8');
  });

  it('refuses an empty file', () => {
    expect(rosterError(() => pupils('')).message).toContain('the file is empty');
  });

  it('loads nothing when only the last row is bad', () => {
    const rows = Array.from({ length: 50 }, (_, at) => `X${at},Kwabena,Asante`).join('\n');
    expect(() => pupils(`UPN,Forename,Surname\n${rows}\nX99,Efua,\n`)).toThrow(RosterError);
  });

  it('never puts a cell value in the message', () => {
    const messages = [
      rosterError(() => pupils('UPN,Forename,Surname,DOB\nX1,Kwabena,Asante,Wrongday\n')).message,
      rosterError(() => pupils('UPN,Forename,Surname\nSECRETID,Kwabena,Asante\nSECRETID,Efua,Asante\n')).message,
      rosterError(() => pupils('UPN,Forename,Surname\nX1,"Kwabena,Asante\n')).message,
      rosterError(() => pupils('UPN,Forename,Surname\nX1,Kwabena,Asan"te\n')).message,
    ];
    for (const message of messages) expect(message).not.toMatch(/Kwabena|Asante|Wrongday|SECRETID|Efua/);
  });

  it('reports a file it cannot read as a RosterError', async () => {
    await expect(loadPupilsCsv(`${CASES}no-such-file.csv`)).rejects.toMatchObject({ code: 'roster-invalid', message: expect.stringContaining('ENOENT') });
  });
});
