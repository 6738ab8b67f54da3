import { INCIDENT_TYPES, knownCategoryFacts, type IncidentType } from '../detect/categories.js';
import type { Action } from '../policy/verdict.js';

export type { IncidentType } from '../detect/categories.js';

/** The types that say personal data was at stake; the rest are conduct or safety. */
const DATA_PROTECTION_TYPES: ReadonlySet<IncidentType> = new Set([
  'Data emailed to incorrect recipient',
  'Failure to use Bcc',
  'Data sent to personal email',
  'Unencrypted special-category data',
  'Failure to redact',
]);

export interface IncidentClassification {
  /** Every type that applies, most serious first; never empty. */
  readonly types: readonly IncidentType[];
  /** Whether personal data was at stake (a data-protection near miss), rather than conduct only. */
  readonly dataProtection: boolean;
}

/**
 * Only the messages the gateway stopped (`quarantine`, `return`) are incidents: delivered and
 * encrypted mail met the policy. Each category's type is the catalogue's (src/detect/categories.ts);
 * a category with none adds none, and a stopped message with no type at all is "Other policy breach".
 */
export function classifyIncident(action: Action, categories: Iterable<string>): IncidentClassification | undefined {
  if (action !== 'quarantine' && action !== 'return') return undefined;
  const found = new Set<IncidentType>();
  for (const category of categories) {
    const type = knownCategoryFacts(category)?.incident;
    if (type !== undefined) found.add(type);
  }
  const types = INCIDENT_TYPES.filter((type) => found.has(type));
  if (types.length === 0) return { types: ['Other policy breach'], dataProtection: false };
  return { types, dataProtection: types.some((type) => DATA_PROTECTION_TYPES.has(type)) };
}
