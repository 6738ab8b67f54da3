import { readFile } from 'node:fs/promises';
import { parseCsvTable, type CsvRow } from './csv-table.js';
import { decodeCsvText } from './decode-csv-text.js';
import type { Pupil, StaffMember } from './roster.js';
import { RosterError, type RosterErrorPlace } from './roster-error.js';
import { resolveColumns, type RosterColumns, type RosterField } from './roster-columns.js';
import { emailFromUsername, parseRosterDate, splitEmails, splitMiddleNames, tidyName } from './roster-values.js';

export { RosterError } from './roster-error.js';

/** Reads a pupil export (MIS CSV or School Data Sync students); all rows load, or none (RosterError). */
export async function loadPupilsCsv(path: string): Promise<Pupil[]> {
  return parsePupilsCsv(await readExport(path), path);
}

/** Reads a staff export with the same name headers as pupils; all rows load, or none (RosterError). */
export async function loadStaffCsv(path: string): Promise<StaffMember[]> {
  return parseStaffCsv(await readExport(path), path);
}

/** Pupils from the bytes of an export; `fileLabel` names the file in errors. */
export function parsePupilsCsv(bytes: Buffer, fileLabel: string): Pupil[] {
  const sheet = readSheet(bytes, fileLabel);
  const rows = sheet.rows.filter((row) => roleOf(sheet, row) === undefined || roleOf(sheet, row) === 'student');
  return withUniqueIds(
    sheet,
    rows,
    rows.map((row) => readPupil(sheet, row)),
  );
}

/** Staff from the bytes of an export; `fileLabel` names the file in errors. */
export function parseStaffCsv(bytes: Buffer, fileLabel: string): StaffMember[] {
  const sheet = readSheet(bytes, fileLabel);
  const rows = sheet.rows.filter((row) => !NOT_STAFF_ROLES.has(roleOf(sheet, row) ?? ''));
  return withUniqueIds(
    sheet,
    rows,
    rows.map((row) => readStaffMember(sheet, row)),
  );
}

/**
 * SDS v2 `users.csv` mixes everyone in one file with a `role` column (OneRoster roles);
 * pupils are `student`, and parents, guardians and relatives are no one's staff.
 * SDS v2.1 moved roles to `roles.csv`: a v2.1 `users.csv` without a role column is read whole.
 */
const NOT_STAFF_ROLES: ReadonlySet<string> = new Set(['student', 'parent', 'guardian', 'relative']);

interface Sheet {
  readonly file: string;
  readonly columns: RosterColumns;
  readonly rows: readonly CsvRow[];
}

async function readExport(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new RosterError(`cannot read the file (${code})`, { file: path });
  }
}

function readSheet(bytes: Buffer, file: string): Sheet {
  const table = parseCsvTable(decodeCsvText(bytes, file), file);
  return { file, columns: resolveColumns(table.header, file), rows: table.rows };
}

function readPupil(sheet: Sheet, row: CsvRow): Pupil {
  return {
    id: readId(sheet, row).id,
    ...readNames(sheet, row),
    dateOfBirth: readDate(sheet, row),
    year: tidyName(cell(sheet, row, 'year')),
    className: tidyName(cell(sheet, row, 'className')),
    contactEmails: splitEmails(cells(sheet, row, 'contactEmails')),
    email: readEmail(sheet, row),
  };
}

function readStaffMember(sheet: Sheet, row: CsvRow): StaffMember {
  return { id: readId(sheet, row).id, ...readNames(sheet, row), email: readEmail(sheet, row) };
}

type PersonNames = Pick<Pupil, 'legalForename' | 'preferredForename' | 'middleNames' | 'legalSurname' | 'preferredSurname'>;

function readNames(sheet: Sheet, row: CsvRow): PersonNames {
  const legalSurname = requiredName(sheet, row, 'surname');
  const legalForename = requiredName(sheet, row, 'forename');
  return {
    legalForename,
    preferredForename: otherName(tidyName(cell(sheet, row, 'preferredForename')), legalForename),
    middleNames: splitMiddleNames(cell(sheet, row, 'middleNames')),
    legalSurname,
    preferredSurname: otherName(tidyName(cell(sheet, row, 'preferredSurname')), legalSurname),
  };
}

function requiredName(sheet: Sheet, row: CsvRow, field: 'forename' | 'surname'): string {
  const name = tidyName(cell(sheet, row, field));
  if (name === undefined) throw new RosterError(`the ${field} is empty`, place(sheet, row, field));
  return name;
}

/** A preferred name that only repeats the legal one adds nothing to match. */
function otherName(preferred: string | undefined, legal: string): string | undefined {
  return preferred !== undefined && preferred.toLowerCase() !== legal.toLowerCase() ? preferred : undefined;
}

const ID_FIELDS = ['upn', 'id', 'secondaryId'] as const satisfies readonly RosterField[];

/** The UPN where the export has one for this row, else the export's own id (docs/architecture.md, "hallmonitor scan"). */
function readId(sheet: Sheet, row: CsvRow): { readonly id: string; readonly field: RosterField | undefined } {
  for (const field of ID_FIELDS) {
    const id = cell(sheet, row, field);
    if (id !== '') return { id, field };
  }
  const idField = ID_FIELDS.find((field) => sheet.columns.has(field));
  if (idField !== undefined) throw new RosterError('the id is empty', place(sheet, row, idField));
  // An export without any id column still loads; its rows are told apart by position.
  return { id: `row-${row.row}`, field: undefined };
}

function withUniqueIds<T extends { readonly id: string }>(sheet: Sheet, rows: readonly CsvRow[], people: T[]): T[] {
  const firstRow = new Map<string, number>();
  people.forEach((person, at) => {
    const row = rows[at];
    if (row === undefined) return;
    const earlier = firstRow.get(person.id);
    if (earlier !== undefined) {
      const field = readId(sheet, row).field;
      const where = field === undefined ? { file: sheet.file, row: row.row } : place(sheet, row, field);
      throw new RosterError(`this id is also used on row ${earlier}; ids must be unique`, where);
    }
    firstRow.set(person.id, row.row);
  });
  return people;
}

function readDate(sheet: Sheet, row: CsvRow): string | undefined {
  const value = cell(sheet, row, 'dateOfBirth');
  if (value === '') return undefined;
  const date = parseRosterDate(value);
  if (date === undefined) {
    throw new RosterError('not a date: write dates as dd/mm/yyyy or yyyy-mm-dd', place(sheet, row, 'dateOfBirth'));
  }
  return date;
}

function readEmail(sheet: Sheet, row: CsvRow): string | undefined {
  const email = cell(sheet, row, 'email').toLowerCase();
  return email !== '' ? email : emailFromUsername(cell(sheet, row, 'username'));
}

function roleOf(sheet: Sheet, row: CsvRow): string | undefined {
  return sheet.columns.has('role') ? cell(sheet, row, 'role').toLowerCase() : undefined;
}

function cell(sheet: Sheet, row: CsvRow, field: RosterField): string {
  return cells(sheet, row, field)[0] ?? '';
}

function cells(sheet: Sheet, row: CsvRow, field: RosterField): string[] {
  return (sheet.columns.get(field) ?? []).map((column) => row.cells[column.index] ?? '');
}

function place(sheet: Sheet, row: CsvRow, field: RosterField): RosterErrorPlace {
  const column = sheet.columns.get(field)?.[0];
  return { file: sheet.file, row: row.row, column: column?.header, columnIndex: column?.index };
}
