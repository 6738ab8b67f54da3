import { FINDING_CATEGORIES } from '../detect/finding.js';
import { ACTIVITY_ACTIONS, type ActivityAction, type ActivityFilter } from '../store/activity-log.js';
import { isDay, londonMidnight, nextDay } from './school-terms.js';
import { WebError } from './web-error.js';

/** The explorer's filters as the form holds them: strings, '' for "any". */
export interface ActivityFields {
  readonly school: string;
  /** Personal data: only ever posted, never in a URL. */
  readonly sender: string;
  readonly rule: string;
  readonly category: string;
  readonly action: string;
  /** London days, `YYYY-MM-DD`, both inclusive. */
  readonly since: string;
  readonly until: string;
  readonly page: number;
}

export const ACTIVITY_PAGE_SIZE = 50;
/** The filters a URL may carry: ids, categories, actions and dates, never an address. */
export const PUBLIC_FIELDS = ['school', 'rule', 'category', 'action', 'since', 'until'] as const;
/** What a school or rule id may be: ids, never free text, since they go in URLs. */
export const ID = /^[A-Za-z0-9._-]{1,100}$/;

/** Reads the fields from the query (public ones) or a posted form (all of them), refusing what cannot be one. */
export function activityFields(source: unknown): ActivityFields {
  const get = (name: string) => {
    const value = (source as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' ? value.trim() : '';
  };
  const page = Number(get('page') || '1');
  const fields: ActivityFields = {
    school: get('school'),
    sender: get('sender').toLowerCase(),
    rule: get('rule'),
    category: get('category'),
    action: get('action'),
    since: get('since'),
    until: get('until'),
    page: Number.isSafeInteger(page) && page > 0 ? page : 1,
  };
  if (fields.school && !ID.test(fields.school)) throw new WebError('bad-request', 'Unknown school.');
  if (fields.rule && !ID.test(fields.rule)) throw new WebError('bad-request', 'Unknown rule.');
  if (fields.category && !(FINDING_CATEGORIES as readonly string[]).includes(fields.category)) throw new WebError('bad-request', 'Unknown category.');
  if (fields.action && !(ACTIVITY_ACTIONS as readonly string[]).includes(fields.action)) throw new WebError('bad-request', 'Unknown action.');
  if (fields.sender.length > 320) throw new WebError('bad-request', 'That is not an address.');
  for (const day of [fields.since, fields.until]) if (day && !isDay(day)) throw new WebError('bad-request', 'Dates are written YYYY-MM-DD.');
  return fields;
}

/** The store's filter for the fields (scope is added by `recordsFor`); dates are London days, `until` inclusive. */
export function activityFilter(fields: ActivityFields): ActivityFilter {
  return {
    ...(fields.school ? { schoolIds: [fields.school] } : {}),
    ...(fields.sender ? { sender: fields.sender } : {}),
    ...(fields.rule ? { ruleId: fields.rule } : {}),
    ...(fields.category ? { category: fields.category } : {}),
    ...(fields.action ? { action: fields.action as ActivityAction } : {}),
    ...(fields.since ? { since: londonMidnight(fields.since) } : {}),
    ...(fields.until ? { until: londonMidnight(nextDay(fields.until)) } : {}),
  };
}

/** The query string of the public fields, with `overrides` applied (a school's or a rule's history, a page). */
export function activityQuery(fields: ActivityFields, overrides: Partial<Record<(typeof PUBLIC_FIELDS)[number] | 'page', string>> = {}): string {
  const params = new URLSearchParams();
  for (const name of PUBLIC_FIELDS) {
    const value = overrides[name] ?? fields[name];
    if (value) params.set(name, value);
  }
  const page = overrides.page ?? (fields.page > 1 ? String(fields.page) : '');
  if (page && page !== '1') params.set('page', page);
  const text = params.toString();
  return text ? `?${text}` : '';
}
