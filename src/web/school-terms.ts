/**
 * English school terms and Europe/London dates, for reports a school reads by its own calendar. Terms are defined
 * simply, the same for every school: autumn 1 September–31 December, spring 1 January–31 March, summer 1 April–31
 * August (the summer holiday falls in summer, so every day of the year is in exactly one term). Days are London
 * days: midnight in London is 23:00 UTC the day before while British Summer Time runs.
 */
const LONDON = 'Europe/London';
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export const TERM_SEASONS = ['spring', 'summer', 'autumn'] as const;
export type TermSeason = (typeof TERM_SEASONS)[number];

/** First and last month (1–12) of each term. */
const TERM_MONTHS: Readonly<Record<TermSeason, readonly [number, number]>> = { spring: [1, 3], summer: [4, 8], autumn: [9, 12] };

export interface SchoolTerm {
  /** `2026-autumn`: what a URL carries. */
  readonly id: string;
  /** `Autumn term 2026`. */
  readonly label: string;
  /** London days, `YYYY-MM-DD`, both inclusive. */
  readonly firstDay: string;
  readonly lastDay: string;
}

const parts = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** The London calendar day and time of an instant: `{ day: 'YYYY-MM-DD', time: 'HH:MM' }`. */
export function londonParts(at: Date): { readonly day: string; readonly time: string } {
  const get = (type: string) => parts.formatToParts(at).find((part) => part.type === type)?.value ?? '';
  return { day: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
}

export function londonDay(at: Date): string {
  return londonParts(at).day;
}

/** `YYYY-MM-DD HH:MM`, London time. */
export function londonTime(at: Date): string {
  const { day, time } = londonParts(at);
  return `${day} ${time}`;
}

/** Whether `text` is a real calendar day written `YYYY-MM-DD`. */
export function isDay(text: string): boolean {
  const match = DAY.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === text;
}

/** The instant London's day `day` begins. London is UTC or UTC+1, so it is midnight UTC or the hour before. */
export function londonMidnight(day: string): Date {
  const utc = Date.parse(`${day}T00:00:00.000Z`);
  const earlier = new Date(utc - 3_600_000);
  return londonDay(earlier) === day ? earlier : new Date(utc);
}

/** The day after `day`, `YYYY-MM-DD`. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** `[since, until)` from the start of London day `first` to the end of London day `last`. */
export function londonDays(first: string, last: string): { since: Date; until: Date } {
  return { since: londonMidnight(first), until: londonMidnight(nextDay(last)) };
}

export function schoolTerm(year: number, season: TermSeason): SchoolTerm {
  const [first, last] = TERM_MONTHS[season];
  const lastDay = new Date(Date.UTC(year, last, 0)).toISOString().slice(0, 10);
  return { id: `${year}-${season}`, label: `${season[0]!.toUpperCase()}${season.slice(1)} term ${year}`, firstDay: `${year}-${String(first).padStart(2, '0')}-01`, lastDay };
}

/** The term named by `2026-autumn`, or undefined. */
export function parseTerm(id: string): SchoolTerm | undefined {
  const match = /^(\d{4})-(spring|summer|autumn)$/.exec(id);
  return match ? schoolTerm(Number(match[1]), match[2] as TermSeason) : undefined;
}

/** The term a London day falls in. */
export function termOfDay(day: string): SchoolTerm {
  const month = Number(day.slice(5, 7));
  const season = TERM_SEASONS.find((each) => month >= TERM_MONTHS[each][0] && month <= TERM_MONTHS[each][1])!;
  return schoolTerm(Number(day.slice(0, 4)), season);
}

/** The term `now` is in and the `count - 1` before it, newest first: what a report offers to choose from. */
export function recentTerms(now: Date, count: number): SchoolTerm[] {
  const terms = [termOfDay(londonDay(now))];
  while (terms.length < count) {
    const previous = new Date(Date.parse(`${terms.at(-1)!.firstDay}T12:00:00.000Z`) - 86_400_000);
    terms.push(termOfDay(previous.toISOString().slice(0, 10)));
  }
  return terms;
}

/** `[since, until)` of a term, London days. */
export function termRange(term: SchoolTerm): { since: Date; until: Date } {
  return londonDays(term.firstDay, term.lastDay);
}
