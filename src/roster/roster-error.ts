import { HallmonitorError } from '../errors/hallmonitor-error.js';
/** Where in an export a problem sits, as a spreadsheet user would look for it. */
export interface RosterErrorPlace {
  /** The file as the caller named it. */
  readonly file: string;
  /** 1-based row as a spreadsheet shows it: the header is row 1. */
  readonly row?: number;
  /** The column's header as written in the file. */
  readonly column?: string;
  /** 0-based index of that column, shown to the user as a spreadsheet letter. */
  readonly columnIndex?: number;
}

/**
 * An export that cannot be loaded as a roster. Nothing from the file was loaded; the school
 * fixes the export and loads it again. Messages name the place, never the cell's value,
 * because values are pupils' personal data and errors end up in logs.
 */
export class RosterError extends HallmonitorError {
  readonly code = 'roster-invalid';
  readonly disposition = 'configuration';
  readonly file: string;
  readonly row: number | undefined;
  readonly column: string | undefined;

  constructor(problem: string, place: RosterErrorPlace) {
    super(`${describePlace(place)}: ${problem}`);
    this.name = 'RosterError';
    this.file = place.file;
    this.row = place.row;
    this.column = place.column;
  }
}

function describePlace(place: RosterErrorPlace): string {
  const parts = [place.file];
  if (place.row !== undefined) parts.push(`row ${place.row}`);
  if (place.column !== undefined) {
    const letter = place.columnIndex === undefined ? '' : ` (column ${spreadsheetColumn(place.columnIndex)})`;
    parts.push(`column "${place.column}"${letter}`);
  }
  return parts.join(', ');
}

/** 0 → A, 25 → Z, 26 → AA: the letters a spreadsheet shows above the column. */
export function spreadsheetColumn(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}
