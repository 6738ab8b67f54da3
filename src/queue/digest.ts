import { CronExpressionParser } from 'cron-parser';
import type { RuleSet } from '../policy/decide.js';
import type { Action } from '../policy/verdict.js';
import { ACTIONS_BY_PROTECTION } from '../policy/verdict.js';
import { renderDocument, schoolTime, type MailBlock } from '../compose/mail-document.js';
import { ALERT_ROLES, type AlertRole } from '../store/user-directory.js';
import { mailJobId, type OutgoingMail, type RecipientsByRole } from './outgoing-mail.js';
import { ACTION_TAKEN, NO_CONTENT_NOTE, ROLE_TITLES } from './wording.js';

/** One school's day in counts: what the daily digest reports. Identifiers only for senders; never content. */
export interface DigestSummary {
  /** Messages by the action taken. */
  readonly verdicts: Readonly<Partial<Record<Action, number>>>;
  /** Findings by category (docs/architecture.md's category names). */
  readonly categories: Readonly<Record<string, number>>;
  /** The rules that fired most, most first. */
  readonly topRules: readonly { readonly id: string; readonly count: number }[];
  /** Senders with how many of their messages were returned or quarantined, most first. */
  readonly sendersNeedingTraining: readonly { readonly sender: string; readonly count: number }[];
  /** Notifications with level `digest`: the ones that waited for this email rather than alert at once. */
  readonly digestNotifications: number;
}

/**
 * Where the digest's counts come from: the audit store (`src/store/`). One call per school and day,
 * over `[since, until)`.
 */
export interface DigestSource {
  summarise(schoolId: string, since: Date, until: Date): Promise<DigestSummary>;
}

/** A school as the digest needs it. */
export interface DigestSchool {
  readonly id: string;
  readonly name?: string | undefined;
  readonly recipients: RecipientsByRole;
  /** The roles that receive the digest: those the school's rules notify with level `digest`. */
  readonly roles: readonly AlertRole[];
}

export interface DigestOptions {
  /** Senders are listed as needing training from this many returned or quarantined messages (default 3). */
  readonly trainingThreshold?: number;
  /** The time zone of the dates shown and of the day in the job id (default Europe/London). */
  readonly timeZone?: string;
  /** Most categories listed (default 10). */
  readonly topCategories?: number;
}

const DEFAULTS = { trainingThreshold: 3, timeZone: 'Europe/London', topCategories: 10 } as const;

/** When the digest goes: a cron pattern, read in a time zone. */
export interface DigestSchedule {
  readonly pattern: string;
  readonly timezone: string;
}

/**
 * The period a scheduled digest covers: from the schedule's run before this one up to this one. So a
 * weekday schedule's Monday digest covers the weekend, and a day across a change of the clocks is 23 or 25
 * hours: one digest ends where the next begins, with no gap and no overlap. `scheduledFor` is when the job
 * was due; a job queued a moment late is still this run (the last occurrence at or before it is taken).
 */
export function digestPeriod(scheduledFor: Date, schedule: DigestSchedule): { since: Date; until: Date } {
  // prev() gives occurrences strictly before the current date; one millisecond on, `scheduledFor` itself is one.
  const occurrences = CronExpressionParser.parse(schedule.pattern, { currentDate: new Date(scheduledFor.getTime() + 1), tz: schedule.timezone });
  const until = occurrences.prev().toDate();
  return { since: occurrences.prev().toDate(), until };
}

/** The digest emails for one school and period: one per role with addresses, each with the same counts. */
export function digestMails(school: DigestSchool, summary: DigestSummary, period: { since: Date; until: Date }, options: DigestOptions = {}): OutgoingMail[] {
  const timeZone = options.timeZone ?? DEFAULTS.timeZone;
  const key = `${school.id}-${dayOf(period.until, timeZone)}`;
  return [...new Set(school.roles)].flatMap((role) => {
    const to = school.recipients[role];
    if (to.length === 0) return [];
    return [{ id: mailJobId('digest', key, role), kind: 'digest' as const, to: [...to], ...renderDigest(school, summary, period, role, options) }];
  });
}

export function renderDigest(school: DigestSchool, summary: DigestSummary, period: { since: Date; until: Date }, role: AlertRole, options: DigestOptions = {}) {
  const timeZone = options.timeZone ?? DEFAULTS.timeZone;
  const threshold = options.trainingThreshold ?? DEFAULTS.trainingThreshold;
  const name = school.name ?? school.id;
  const total = ACTIONS_BY_PROTECTION.reduce((sum, action) => sum + (summary.verdicts[action] ?? 0), 0);
  const training = summary.sendersNeedingTraining.filter((entry) => entry.count >= threshold);
  const categories = Object.entries(summary.categories)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, options.topCategories ?? DEFAULTS.topCategories);
  const blocks: MailBlock[] = [
    { strong: `${name}: outgoing mail from ${schoolTime(period.since, timeZone)} to ${schoolTime(period.until, timeZone)}, for the ${ROLE_TITLES[role]}.` },
    { table: [['Messages checked', String(total)], ...ACTIONS_BY_PROTECTION.map((action) => [capitalise(ACTION_TAKEN[action]), String(summary.verdicts[action] ?? 0)] as const)] },
    { paragraph: 'What was found most:' },
    { list: categories.length > 0 ? categories.map(([category, count]) => `${category}: ${count}`) : ['nothing'] },
    { paragraph: 'Rules that fired most:' },
    { list: summary.topRules.length > 0 ? summary.topRules.map((rule) => `${rule.id}: ${rule.count}`) : ['none'] },
    { paragraph: `Staff who may need a reminder of the policy (${threshold} or more messages returned or held):` },
    { list: training.length > 0 ? training.map((entry) => `${entry.sender}: ${entry.count}`) : ['nobody'] },
    { paragraph: `${summary.digestNotifications} notification${summary.digestNotifications === 1 ? '' : 's'} waited for this digest rather than alert at once.` },
    { small: NO_CONTENT_NOTE },
  ];
  return renderDocument({ subject: `Hallmonitor daily digest: ${name}, ${dayOf(period.until, timeZone)}`, blocks });
}

/** The roles a school's rules notify with level `digest`: who receives its daily digest. */
export function digestRoles(ruleSet: RuleSet): AlertRole[] {
  const notified = new Set(ruleSet.rules.flatMap((rule) => rule.notify.filter((n) => n.level === 'digest').map((n) => n.to)));
  return ALERT_ROLES.filter((role) => notified.has(role));
}

/** `YYYY-MM-DD` in `timeZone`: the digest's day, which keeps one digest per school, role and day. */
export function dayOf(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone }).format(at);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
