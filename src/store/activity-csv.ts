import { stringify } from 'csv-stringify/sync';
import type { ActivityRecord } from './activity-log.js';
import type { MarkedFinding } from './false-positives.js';
import { neutraliseFormula } from './incidents-csv.js';

const COLUMNS = [
  'Time (UTC)',
  'School',
  'Action',
  'By',
  'Sender',
  'Recipient domains',
  'Recipients',
  'Finding categories',
  'Rules',
  'Marked false positive',
  'Message id',
] as const;

/**
 * The explorer's lines as CSV with a header row: metadata only, as on the page. Formula-like cells are neutralised
 * as in the register (sender addresses and rule ids come from outside the DPO's control).
 */
export function activityCsv(lines: readonly ActivityRecord[], marks: ReadonlyMap<number, readonly MarkedFinding[]> = new Map()): string {
  const rows = lines.map((line) => [
    line.at.toISOString(),
    line.schoolId,
    line.action,
    line.actor ?? '',
    line.sender,
    line.recipientDomains.join('; '),
    String(line.recipientCount),
    Object.entries(line.categories)
      .map(([category, count]) => `${category} (${count})`)
      .join('; '),
    line.ruleIds.join('; '),
    (marks.get(line.verdictSeq ?? line.seq) ?? []).map((mark) => (mark.term ? `${mark.category} "${mark.term}"` : mark.category)).join('; '),
    line.messageId,
  ]);
  return stringify([[...COLUMNS], ...rows], { cast: { string: neutraliseFormula } });
}
