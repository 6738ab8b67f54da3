/** Cell values of a roster export, turned into the model's forms. Pure and small. */

const DAY_MONTH_YEAR = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T\s]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;

/**
 * ISO `yyyy-mm-dd` from `dd/mm/yyyy` (UK MIS exports, docs/architecture.md, "The roster CSV"), `yyyy-mm-dd`, or
 * `yyyymmdd` (what School Data Sync recommends). A trailing midnight time, as spreadsheets add,
 * is allowed. Undefined when the value is not a real calendar date.
 */
export function parseRosterDate(value: string): string | undefined {
  const dayFirst = DAY_MONTH_YEAR.exec(value);
  if (dayFirst) return isoDate(dayFirst[3], dayFirst[2], dayFirst[1]);
  const iso = ISO_DATE.exec(value) ?? COMPACT_DATE.exec(value);
  if (iso) return isoDate(iso[1], iso[2], iso[3]);
  return undefined;
}

function isoDate(year = '', month = '', day = ''): string | undefined {
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  const date = new Date(Date.UTC(y, m - 1, d));
  const real = date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  return real ? `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}` : undefined;
}

/** Lower-cased addresses from cells that may hold several, separated by `;` (or `,`). */
export function splitEmails(cells: readonly string[]): string[] {
  const addresses = cells.flatMap((cell) => cell.split(/[;,]/)).map((part) => part.trim().toLowerCase());
  return [...new Set(addresses.filter((address) => address !== ''))];
}

/** A name cell with its spacing tidied; empty cells are undefined. */
export function tidyName(value: string): string | undefined {
  const tidy = value.replace(/\s+/g, ' ').trim();
  return tidy === '' ? undefined : tidy;
}

/** Middle names are written space- or comma-separated in one cell. */
export function splitMiddleNames(value: string): string[] {
  return value.split(/[\s,]+/).filter((name) => name !== '');
}

/** An address-like username (SDS `username` is often the sign-in address). */
export function emailFromUsername(value: string): string | undefined {
  const address = value.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address) ? address : undefined;
}
