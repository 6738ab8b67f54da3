import { parse } from 'csv-parse/sync';
import type { Extractor } from './extractor.js';
import { decodeText } from './text.js';

/**
 * CSV and other delimited exports: the text as written, and its rows as the table. A file that
 * does not parse as CSV is still read as text.
 */
export const extractCsv: Extractor = async (file, context) => {
  const maxChars = context.limits.maxAttachmentTextChars;
  const text = decodeText(file.bytes, file.charset, maxChars);
  return { texts: [text], tableRows: parseRows(wholeLines(text, maxChars)), facts: [], truncated: false };
};

/** Drops a row cut short by the character limit, so it does not end in an unclosed quote. */
function wholeLines(text: string, maxChars: number): string {
  return text.length > maxChars ? text.slice(0, Math.max(0, text.lastIndexOf('\n', maxChars))) : text;
}

function parseRows(text: string): string[][] {
  try {
    return parse(text, {
      delimiter: delimiterOf(text),
      bom: true,
      trim: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    }).filter((row) => row.some((cell) => cell !== ''));
  } catch {
    return [];
  }
}

const DELIMITERS = [',', ';', '\t', '|'] as const;

/** The delimiter used most in the first line outside quotes; MIS exports differ by locale. */
function delimiterOf(text: string): string {
  const end = text.indexOf('\n');
  const firstLine = (end < 0 ? text : text.slice(0, end)).replace(/"[^"]*"/g, '');
  const counts = DELIMITERS.map((delimiter) => firstLine.split(delimiter).length);
  return DELIMITERS[counts.indexOf(Math.max(...counts))] ?? ',';
}
