import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { RosterError } from './roster-error.js';

/** One data row of an export, with the row number a spreadsheet shows for it. */
export interface CsvRow {
  readonly row: number;
  readonly cells: readonly string[];
}

export interface CsvTable {
  /** Header cells as written. */
  readonly header: readonly string[];
  /** Data rows, without rows whose every cell is empty (spreadsheets export those as `,,,`). */
  readonly rows: readonly CsvRow[];
}

interface ParsedRecord {
  readonly record: string[];
  readonly info: { readonly records: number; readonly empty_lines: number };
}

const DELIMITERS = [',', ';', '\t'] as const;

/** Parses a whole export, or throws a RosterError naming the row (and column) that is wrong. */
export function parseCsvTable(text: string, file: string): CsvTable {
  const records = parseRecords(text, file);
  const [first, ...rest] = records;
  if (first === undefined) throw new RosterError('the file is empty: expected a header row', { file });
  return {
    header: first.record,
    rows: rest.map((parsed) => ({ row: spreadsheetRow(parsed.info), cells: parsed.record })).filter((row) => row.cells.some((cell) => cell !== '')),
  };
}

function parseRecords(text: string, file: string): readonly ParsedRecord[] {
  let parsed: readonly unknown[];
  try {
    parsed = parse(text, { delimiter: detectDelimiter(text), info: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    if (error instanceof CsvError) throw fromCsvError(error, text, file);
    throw error;
  }
  // csv-parse's typings ignore `info: true`; check the shape rather than cast it.
  return parsed.filter(isParsedRecord);
}

function isParsedRecord(value: unknown): value is ParsedRecord {
  if (typeof value !== 'object' || value === null || !('record' in value) || !('info' in value)) return false;
  const { record, info } = value;
  return (
    Array.isArray(record) &&
    typeof info === 'object' &&
    info !== null &&
    'records' in info &&
    typeof info.records === 'number' &&
    'empty_lines' in info &&
    typeof info.empty_lines === 'number'
  );
}

/**
 * Excel writes `;` in locales whose decimal mark is a comma, and some MIS exports are
 * tab-separated: the header line's most frequent candidate is the delimiter.
 */
function detectDelimiter(text: string): string {
  const lineEnd = text.search(/\r?\n/);
  const header = lineEnd < 0 ? text : text.slice(0, lineEnd);
  let best: string = ',';
  let bestCount = 0;
  for (const delimiter of DELIMITERS) {
    const count = header.split(delimiter).length - 1;
    if (count > bestCount) {
      best = delimiter;
      bestCount = count;
    }
  }
  return best;
}

/** Spreadsheets count blank lines as rows, so the row is records plus blank lines so far. */
function spreadsheetRow(info: { readonly records: number; readonly empty_lines: number }): number {
  return info.records + info.empty_lines;
}

/** csv-parse's own messages quote cell values; ours name only the place. */
function fromCsvError(error: CsvError, text: string, file: string): RosterError {
  const row = numberField(error, 'records') + numberField(error, 'empty_lines') + 1;
  const header = headerCells(text);
  const index = numberField(error, 'index');
  const place = { file, row, column: header[index], columnIndex: index };
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return new RosterError(`this row has ${index} cells but the header has ${header.length}; check for a missing or extra separator`, { file, row });
    case 'CSV_QUOTE_NOT_CLOSED':
      return new RosterError('a quoted cell starting here is never closed (a closing " is missing)', place);
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new RosterError('a stray " in this cell; quote the whole cell and double any " inside it', place);
    default:
      return new RosterError(`not a readable CSV file (${error.code})`, { file, row });
  }
}

function numberField(error: CsvError, name: string): number {
  const value = error[name];
  return typeof value === 'number' ? value : 0;
}

function headerCells(text: string): readonly string[] {
  try {
    const [header] = parse(text, { delimiter: detectDelimiter(text), to_line: 1, trim: true });
    return header ?? [];
  } catch {
    return [];
  }
}
