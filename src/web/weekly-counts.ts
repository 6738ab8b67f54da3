import type { DailyCounts } from '../store/audit-log.js';
import { londonDay } from './school-terms.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** One series of a chart: a count per week for each key (an action or a category). */
export interface WeeklyCounts {
  /** The first UTC day of each week, `YYYY-MM-DD`, oldest first. */
  readonly weeks: readonly string[];
  /** Keys in the order given, then any others the log holds, alphabetically. */
  readonly keys: readonly string[];
  /** `counts[week][key]`, 0 where nothing happened. */
  readonly counts: readonly (readonly number[])[];
}

/** `[since, until)` covering `weeks` whole UTC weeks that end with the day `now` falls in. */
export function weekRange(now: Date, weeks: number): { since: Date; until: Date } {
  const until = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS);
  return { since: new Date(until.getTime() - weeks * 7 * DAY_MS), until };
}

/**
 * Folds the audit log's counts per day into weeks of seven days from `since`. Pure, so the chart's
 * numbers can be checked without a database; days outside the range are ignored.
 */
export function weeklyCounts(days: DailyCounts['verdicts'] | DailyCounts['findings'], since: Date, weeks: number, knownKeys: readonly string[]): WeeklyCounts {
  const rows = days.map((row) => ({ day: row.day, key: 'action' in row ? row.action : row.category, count: row.count }));
  const extra = [...new Set(rows.map((row) => row.key).filter((key) => !knownKeys.includes(key)))].sort();
  const keys = [...knownKeys, ...extra];
  const counts = Array.from({ length: weeks }, () => keys.map(() => 0));
  for (const row of rows) {
    const week = Math.floor((Date.parse(`${row.day}T00:00:00Z`) - since.getTime()) / (7 * DAY_MS));
    if (week < 0 || week >= weeks) continue;
    counts[week]![keys.indexOf(row.key)]! += row.count;
  }
  const labels = Array.from({ length: weeks }, (_, week) => new Date(since.getTime() + week * 7 * DAY_MS).toISOString().slice(0, 10));
  return { weeks: labels, keys, counts };
}

/** Counts per UTC hour (`YYYY-MM-DDTHH`) folded into Europe/London days, so a term's weeks follow the school's calendar. */
export function londonDailyCounts(hourly: DailyCounts): DailyCounts {
  const fold = <Row extends { readonly day: string; readonly count: number }>(rows: readonly Row[], key: (row: Row) => string): Row[] => {
    const days = new Map<string, Row>();
    for (const row of rows) {
      const day = londonDay(new Date(`${row.day}:00:00.000Z`));
      const id = `${day} ${key(row)}`;
      const seen = days.get(id);
      days.set(id, { ...row, day, count: (seen?.count ?? 0) + row.count });
    }
    return [...days.values()];
  };
  return { verdicts: fold(hourly.verdicts, (row) => row.action), findings: fold(hourly.findings, (row) => row.category) };
}

/** How many weeks (of seven days from `firstDay`) it takes to cover `firstDay` to `lastDay`, both `YYYY-MM-DD`. */
export function weeksCovering(firstDay: string, lastDay: string): number {
  return Math.ceil((Date.parse(`${lastDay}T00:00:00Z`) - Date.parse(`${firstDay}T00:00:00Z`) + DAY_MS) / (7 * DAY_MS));
}
