import type { IdentifierMatch } from './identifier-match.js';

/**
 * Dates of birth: a date next to a cue that says it is one. A date alone ("the meeting on
 * 12/03/2025") is not personal data, so only dates tied to a cue are found.
 */

const MONTHS = String.raw`Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?`;

/** dd/mm/yyyy, d/m/yy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, 3rd March 2015, 3 Mar 2015, March 3rd, 2015. */
const DATE_FORMS = [
  String.raw`(?<d1>\d{1,2})(?<sep>[/.-])(?<m1>\d{1,2})\k<sep>(?<y1>\d{4}|\d{2})`,
  String.raw`(?<y2>\d{4})-(?<m2>\d{1,2})-(?<d2>\d{1,2})`,
  String.raw`(?<d3>\d{1,2})(?:st|nd|rd|th)?(?: of)?[ -](?<mn3>${MONTHS})\.?,?[ -](?<y3>\d{4})`,
  String.raw`(?<mn4>${MONTHS})\.? (?<d4>\d{1,2})(?:st|nd|rd|th)?,? (?<y4>\d{4})`,
];

const DATE = new RegExp(`(?<![\\w/.-])(?:${DATE_FORMS.join('|')})(?![\\w]|[/.-]\\d)`, 'gi');

/**
 * Labels ("DOB", "D.O.B.", "date of birth") may sit a little way before the date, as in
 * "Date of birth (as on SIMS): 03/03/2015"; "born" and "birthday" must lead straight into it,
 * so that "the birthday party is on 12/03/2025" is not a date of birth.
 */
const LABEL_CUE = /\b(?:D\.? ?O\.? ?B\b\.?|date of birth|birth ?date)/gi;
const NARRATIVE_CUE = /\b(?:born|birthday|b'day)\b/gi;

/** Between a label and its date: no digits (another date), no sentence end, at most one line break. */
const LABEL_GAP = /^[^.!?\n\d]{0,40}$|^[^.!?\n\d]{0,40}\n[^.!?\n\d]{0,20}$/;
const NARRATIVE_GAP = /^(?:[\s:,(–-]|\b(?:is|was|on|the|of|in|date|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b)*$/i;

/** Most texts have no cue at all; they need no date scan. */
const ANY_CUE = new RegExp(`${LABEL_CUE.source}|${NARRATIVE_CUE.source}`, 'i');

/** A cue that follows the date, as in "03/03/2015 (DOB)". */
const TRAILING_CUE = /^\s?[([]?\s?(?:D\.? ?O\.? ?B\b|date of birth)/i;

const CUE_REACH = 60;

const MONTH_NUMBERS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** True for a real calendar day; day-first as UK dates are, so 12/03 is 12 March. */
export function isCalendarDate(day: number, month: number, year: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function findDatesOfBirth(text: string): IdentifierMatch[] {
  if (!ANY_CUE.test(text)) return [];
  const found: IdentifierMatch[] = [];
  for (const date of text.matchAll(DATE)) {
    if (!isWrittenCalendarDate(date.groups ?? {})) continue;
    const end = date.index + date[0].length;
    if (!hasCueBeforeDate(text, date.index) && !TRAILING_CUE.test(text.slice(end, end + 20))) continue;
    found.push({ start: date.index, end, text: date[0] });
  }
  return found;
}

function isWrittenCalendarDate(parts: Record<string, string | undefined>): boolean {
  const day = Number(parts.d1 ?? parts.d2 ?? parts.d3 ?? parts.d4);
  const monthName = parts.mn3 ?? parts.mn4;
  const month = monthName === undefined ? Number(parts.m1 ?? parts.m2) : monthNumber(monthName);
  const year = Number(parts.y1 ?? parts.y2 ?? parts.y3 ?? parts.y4);
  return isCalendarDate(day, month, year < 100 ? 2000 + year : year);
}

function monthNumber(name: string): number {
  return MONTH_NUMBERS[name.slice(0, 3).toLowerCase()] ?? 0;
}

function hasCueBeforeDate(text: string, dateStart: number): boolean {
  const from = Math.max(0, dateStart - CUE_REACH);
  const before = text.slice(from, dateStart);
  return cueLeadsTo(before, LABEL_CUE, LABEL_GAP) || cueLeadsTo(before, NARRATIVE_CUE, NARRATIVE_GAP);
}

/** True when some `cue` in `before` is followed, up to the date, only by text `gap` allows. */
function cueLeadsTo(before: string, cue: RegExp, gap: RegExp): boolean {
  for (const match of before.matchAll(cue)) {
    if (gap.test(before.slice(match.index + match[0].length))) return true;
  }
  return false;
}

/** A column header that says the column holds dates of birth: "DOB", "D.O.B.", "Date of Birth", "Birthdate". */
const DOB_HEADER = /^\s*(?:D\.? ?O\.? ?B\.?|date of birth|birth ?date)\s*$/i;

/**
 * Dates of birth in a table (a spreadsheet or CSV attachment): every calendar date in a column
 * headed as dates of birth. In a table the cue is the header, however far above the row it is.
 */
export function findDatesOfBirthInTable(rows: readonly (readonly string[])[]): string[] {
  const [header, ...data] = rows;
  const columns = (header ?? []).flatMap((cell, index) => (DOB_HEADER.test(cell) ? [index] : []));
  if (columns.length === 0) return [];
  return data.flatMap((row) => columns.map((index) => row[index]?.trim() ?? '').filter(isWholeCalendarDate));
}

function isWholeCalendarDate(cell: string): boolean {
  const date = [...cell.matchAll(DATE)][0];
  return date !== undefined && date.index === 0 && date[0].length === cell.length && isWrittenCalendarDate(date.groups ?? {});
}
