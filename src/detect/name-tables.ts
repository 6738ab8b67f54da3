/**
 * Pupils named across the cells of a table row: a class list with Forename and Surname columns,
 * apart or in either order, with other columns between ("Surname | Year | Forename"). Text
 * search finds a name only where the two cells sit side by side in the text; here each row's
 * forename and surname cells are paired by the header that says which column is which.
 */
import type { SchoolDirectory } from '../roster/roster.js';

/** A pupil named by one row: the cells as written, forename first. */
export interface TableName {
  readonly personId: string;
  readonly forename: string;
  readonly surname: string;
  readonly initials: string | undefined;
}

type Rows = readonly (readonly string[])[];

/** Header cells, folded to letters and digits, that head a forename or a surname column. */
const FORENAME_HEADERS: ReadonlySet<string> = new Set([
  'forename',
  'forenames',
  'firstname',
  'givenname',
  'legalforename',
  'preferredforename',
  'preferredname',
  'knownas',
  'preferredfirstname',
  'christianname',
  'pupilforename',
  'childforename',
  'studentfirstname',
]);
const SURNAME_HEADERS: ReadonlySet<string> = new Set([
  'surname',
  'lastname',
  'familyname',
  'legalsurname',
  'preferredsurname',
  'pupilsurname',
  'childsurname',
  'studentlastname',
  'preferredlastname',
]);

/** A title above the header ("Year 6 class list") is allowed. */
const HEADER_SEARCH_ROWS = 5;

const headerKey = (cell: string): string => cell.toLowerCase().replace(/[^a-z0-9]/g, '');

interface Columns {
  readonly header: number;
  readonly forenames: readonly number[];
  readonly surnames: readonly number[];
}

function columnsOf(rows: Rows): Columns | undefined {
  for (let header = 0; header < Math.min(rows.length, HEADER_SEARCH_ROWS); header += 1) {
    const keys = (rows[header] ?? []).map(headerKey);
    const forenames = keys.flatMap((key, at) => (FORENAME_HEADERS.has(key) ? [at] : []));
    const surnames = keys.flatMap((key, at) => (SURNAME_HEADERS.has(key) ? [at] : []));
    if (forenames.length > 0 && surnames.length > 0) return { header, forenames, surnames };
  }
  return undefined;
}

/**
 * The pupils named by a table's rows, one entry per pupil per row. A row names a pupil when its
 * forename and surname cells, read together as one name, are that pupil's whole name (written
 * as the roster has it, or as a short form, a slip… — see `name-index.ts`).
 */
export function pupilsInTable(rows: Rows, directory: SchoolDirectory): TableName[] {
  return pupilsByRow(rows, directory).flat();
}

/** For each row, the pupils it names across its cells; none for the header and the rows above it, or without a header. */
export function pupilsByRow(rows: Rows, directory: SchoolDirectory): TableName[][] {
  const columns = columnsOf(rows);
  if (columns === undefined) return rows.map(() => []);
  return rows.map((row, at) => (at <= columns.header ? [] : namesInRow(row, columns, directory)));
}

function namesInRow(row: readonly string[], columns: Columns, directory: SchoolDirectory): TableName[] {
  const names: TableName[] = [];
  const seen = new Set<string>();
  for (const forenameAt of columns.forenames) {
    for (const surnameAt of columns.surnames) {
      const forename = (row[forenameAt] ?? '').trim();
      const surname = (row[surnameAt] ?? '').trim();
      if (forename === '' || surname === '') continue;
      const text = `${forename} ${surname}`;
      for (const match of directory.findPupilNames(text)) {
        if (match.start !== 0 || match.end !== text.length || seen.has(match.personId)) continue;
        seen.add(match.personId);
        names.push({ personId: match.personId, forename, surname, initials: match.initials });
      }
    }
  }
  return names;
}

/**
 * Rows of a table written as text: consecutive lines with tabs between cells, as HTML tables
 * and spreadsheets become text. Lines without a tab end a table.
 */
export function tabbedRows(text: string): string[][][] {
  if (!text.includes('\t')) return [];
  const tables: string[][][] = [];
  let current: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.includes('\t')) current.push(line.split('\t'));
    else if (line.trim() !== '' && current.length > 0) {
      tables.push(current);
      current = [];
    }
  }
  if (current.length > 0) tables.push(current);
  return tables;
}
