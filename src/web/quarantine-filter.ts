import { FINDING_CATEGORIES } from '../detect/finding.js';
import { QUARANTINE_STATUSES, type QuarantineFilter, type QuarantineStatus } from '../store/quarantine-store.js';
import { WebError } from './web-error.js';

/** The list's filters as the form holds them: strings, '' for "any". */
export interface FilterFields {
  readonly status: string;
  readonly category: string;
  readonly rule: string;
  /** YYYY-MM-DD, received on or after. */
  readonly since: string;
  /** YYYY-MM-DD, received on or before. */
  readonly until: string;
  /** Personal data: only ever posted, never in a URL. */
  readonly sender: string;
  /** Personal data too: a part of the sender's or a recipient's address. */
  readonly search: string;
  readonly page: number;
}

export const PAGE_SIZE = 50;
/** A search looks through this many of the filtered records at most (addresses are matched in the app). */
export const SEARCH_WINDOW = 1_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const RULE = /^[A-Za-z0-9._-]{1,100}$/;

/** Reads the filter fields from the query (status, category, rule, dates, page) and a posted form (all of them). */
export function filterFields(source: unknown): FilterFields {
  const get = (name: string) => {
    const value = (source as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' ? value.trim() : '';
  };
  const page = Number(get('page') || '1');
  const fields = {
    status: get('status'),
    category: get('category'),
    rule: get('rule'),
    since: get('since'),
    until: get('until'),
    sender: get('sender').toLowerCase(),
    search: get('search').toLowerCase(),
    page: Number.isSafeInteger(page) && page > 0 ? page : 1,
  };
  if (fields.status && !(QUARANTINE_STATUSES as readonly string[]).includes(fields.status)) throw new WebError('bad-request', 'Unknown status.');
  if (fields.category && !(FINDING_CATEGORIES as readonly string[]).includes(fields.category)) throw new WebError('bad-request', 'Unknown category.');
  if (fields.rule && !RULE.test(fields.rule)) throw new WebError('bad-request', 'Unknown rule.');
  for (const day of [fields.since, fields.until]) if (day && (!DAY.test(day) || Number.isNaN(Date.parse(day)))) throw new WebError('bad-request', 'Dates are written YYYY-MM-DD.');
  return fields;
}

/** The store filter for these fields; `until` is inclusive of its day. */
export function storeFilter(fields: FilterFields): QuarantineFilter {
  return {
    ...(fields.status ? { status: fields.status as QuarantineStatus } : {}),
    ...(fields.category ? { category: fields.category } : {}),
    ...(fields.rule ? { ruleId: fields.rule } : {}),
    ...(fields.sender ? { sender: fields.sender } : {}),
    ...(fields.since ? { since: new Date(`${fields.since}T00:00:00.000Z`) } : {}),
    ...(fields.until ? { until: new Date(Date.parse(`${fields.until}T00:00:00.000Z`) + 86_400_000) } : {}),
  };
}

/** The query string for the filters that may appear in a URL (no addresses). */
export function publicQuery(fields: FilterFields, page = fields.page): string {
  const params = new URLSearchParams();
  for (const name of ['status', 'category', 'rule', 'since', 'until'] as const) if (fields[name]) params.set(name, fields[name]);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `?${text}` : '';
}
