import { RosterError } from './roster-error.js';

/** What a roster column holds (docs/architecture.md, "The roster CSV", plus the School Data Sync names). */
export type RosterField =
  | 'upn'
  | 'id'
  | 'secondaryId'
  | 'forename'
  | 'preferredForename'
  | 'middleNames'
  | 'surname'
  | 'preferredSurname'
  | 'dateOfBirth'
  | 'year'
  | 'className'
  | 'contactEmails'
  | 'email'
  | 'username'
  | 'role';

/**
 * Accepted headers for each field, best first. docs/architecture.md, "The roster CSV" lists the MIS names; the others
 * are Microsoft School Data Sync's: v1 `Student.csv`/`Teacher.csv` (`SIS ID`, `First Name`,
 * `Middle Name`, `Grade`, `Student Number`, `Birthdate`), its UK variant (`ID`), and v2/v2.1
 * `users.csv` (`sourcedId`, `givenName`, `familyName`, `middleName`, `email`, `role`, `grade`).
 */
const HEADERS: Readonly<Record<RosterField, readonly string[]>> = {
  upn: ['UPN'],
  id: ['Id', 'Pupil Id', 'SIS ID', 'sourcedId', 'Student Id', 'Staff Id'],
  secondaryId: ['Student Number', 'Teacher Number', 'Staff Code'],
  forename: ['Legal Forename', 'Forename', 'First Name', 'Given Name'],
  preferredForename: ['Preferred Forename', 'Preferred Name', 'Known As', 'Preferred First Name', 'preferredGivenName'],
  middleNames: ['Middle Names', 'Middle Name', 'Middle Name(s)'],
  surname: ['Legal Surname', 'Surname', 'Last Name', 'Family Name'],
  preferredSurname: ['Preferred Surname', 'Preferred Last Name', 'preferredFamilyName'],
  dateOfBirth: ['DOB', 'Date of Birth', 'Birthdate'],
  year: ['Year', 'Year Group', 'NC Year', 'Grade'],
  className: ['Reg', 'Reg Group', 'Registration Group', 'Form', 'Tutor Group', 'Class'],
  contactEmails: ['Contact Emails', 'Parent Email', 'Primary Contact Email'],
  email: ['Email', 'Pupil Email', 'Staff Email', 'Secondary Email'],
  username: ['Username'],
  role: ['Role'],
};

/** Fields whose every matching column is read (contacts may be spread over several). */
const MULTI_COLUMN_FIELDS: ReadonlySet<RosterField> = new Set(['contactEmails']);

export interface RosterColumn {
  readonly index: number;
  /** The header as written in the file. */
  readonly header: string;
}

export type RosterColumns = ReadonlyMap<RosterField, readonly RosterColumn[]>;

/**
 * Headers compare without case, spaces or underscores, so `First Name`, `FirstName`,
 * `first_name` and SDS's `givenName`/`Given Name` are one header.
 */
export function headerKey(header: string): string {
  return header.toLowerCase().replace(/[\s_]+/g, '');
}

const FIELD_BY_HEADER: ReadonlyMap<string, { field: RosterField; rank: number }> = new Map(
  Object.entries(HEADERS).flatMap(([field, headers]) => headers.map((header, rank) => [headerKey(header), { field: field as RosterField, rank }] as const)),
);

/** Which column holds which field; a field's columns come best header first. */
export function resolveColumns(header: readonly string[], file: string): RosterColumns {
  const found = new Map<RosterField, { column: RosterColumn; rank: number }[]>();
  header.forEach((written, index) => {
    const known = FIELD_BY_HEADER.get(headerKey(written));
    if (known === undefined) return;
    const columns = found.get(known.field) ?? [];
    columns.push({ column: { index, header: written }, rank: known.rank });
    found.set(known.field, columns);
  });
  const columns = new Map<RosterField, readonly RosterColumn[]>();
  for (const [field, candidates] of found) {
    const ranked = candidates.sort((a, b) => a.rank - b.rank).map((candidate) => candidate.column);
    columns.set(field, MULTI_COLUMN_FIELDS.has(field) ? ranked : ranked.slice(0, 1));
  }
  requireField(columns, 'forename', file);
  requireField(columns, 'surname', file);
  return columns;
}

function requireField(columns: RosterColumns, field: 'forename' | 'surname', file: string): void {
  if (columns.has(field)) return;
  throw new RosterError(`no ${field} column: the header row needs one of ${HEADERS[field].join(', ')}`, {
    file,
    row: 1,
  });
}
