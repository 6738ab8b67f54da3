import type { Action } from '../policy/verdict.js';

/**
 * Incident types in the ICO's terms where the ICO has one (its data security incident trends use
 * "Data emailed to incorrect recipient", "Failure to use bcc", "Failure to redact"), most serious first.
 * The last four are conduct or safety, not personal data: the DPO still sees them as near misses.
 */
export const INCIDENT_TYPES = [
  'Data emailed to incorrect recipient',
  'Failure to use Bcc',
  'Data sent to personal email',
  'Unencrypted special-category data',
  'Failure to redact',
  'Offensive language',
  'Chain letter',
  'Unsafe attachment',
  'Other policy breach',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

const DATA_PROTECTION_TYPES: ReadonlySet<IncidentType> = new Set([
  'Data emailed to incorrect recipient',
  'Failure to use Bcc',
  'Data sent to personal email',
  'Unencrypted special-category data',
  'Failure to redact',
]);

/** Finding category (exact, or a family ending in `/`) → incident type. Categories not listed add no type. */
const TYPE_BY_CATEGORY: readonly (readonly [string, IncidentType])[] = [
  ['recipients/misdirected', 'Data emailed to incorrect recipient'],
  ['recipients/visible-bulk', 'Failure to use Bcc'],
  ['recipients/personal-webmail', 'Data sent to personal email'],
  ['sensitive/', 'Unencrypted special-category data'],
  ['pupil-name', 'Failure to redact'],
  ['person-name', 'Failure to redact'],
  ['personal-data/', 'Failure to redact'],
  ['attachment/bulk-personal-data', 'Failure to redact'],
  ['language/', 'Offensive language'],
  ['content/chain-letter', 'Chain letter'],
  ['attachment/executable', 'Unsafe attachment'],
];

export interface IncidentClassification {
  /** Every type that applies, most serious first; never empty. */
  readonly types: readonly IncidentType[];
  /** Whether personal data was at stake (a data-protection near miss), rather than conduct only. */
  readonly dataProtection: boolean;
}

/**
 * Only the messages the gateway stopped (`quarantine`, `return`) are incidents: delivered and
 * encrypted mail met the policy. Pure, so the register and its tests share one mapping.
 */
export function classifyIncident(action: Action, categories: Iterable<string>): IncidentClassification | undefined {
  if (action !== 'quarantine' && action !== 'return') return undefined;
  const found = new Set<IncidentType>();
  for (const category of categories) {
    for (const [pattern, type] of TYPE_BY_CATEGORY) {
      if (pattern.endsWith('/') ? category.startsWith(pattern) : category === pattern) found.add(type);
    }
  }
  const types = INCIDENT_TYPES.filter((type) => found.has(type));
  if (types.length === 0) return { types: ['Other policy breach'], dataProtection: false };
  return { types, dataProtection: types.some((type) => DATA_PROTECTION_TYPES.has(type)) };
}
