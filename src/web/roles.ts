import type { UserRole } from '../store/user-directory.js';

/** What a signed-in person may do in the review app. */
export type Permission =
  /** See the quarantine list: envelope metadata, categories, rules, status; no subject, no content. */
  | 'list'
  /** Open a held message: subject, text, findings, attachment names, the inert HTML body. */
  | 'read'
  /** Release, release encrypted, reject. */
  | 'decide'
  /** Download an attachment of a held message. */
  | 'download'
  /** The dashboard: counts per week, top rules, senders who may need training, quarantine age. */
  | 'dashboard'
  /** The near-miss / incident register and its CSV: senders and recipient domains, no content. */
  | 'register';

/**
 * The DPO and the IT admin review and decide; the DSL reads (safeguarding context) but does not decide; the
 * Business Manager sees only the list, which is what the dashboard counts are made of. Downloading an
 * attachment takes it out of the gateway's encryption at rest, so it is the DPO's alone. The register is the
 * DPO's record of breaches and near misses, kept with the admin and the Business Manager; the DSL sees the
 * dashboard's trends but not the register. Every role may read the rules.
 */
const PERMISSIONS: Readonly<Record<UserRole, readonly Permission[]>> = {
  dpo: ['list', 'read', 'decide', 'download', 'dashboard', 'register'],
  admin: ['list', 'read', 'decide', 'dashboard', 'register'],
  dsl: ['list', 'read', 'dashboard'],
  'business-manager': ['list', 'dashboard', 'register'],
};

export function can(role: UserRole, permission: Permission): boolean {
  return PERMISSIONS[role].includes(permission);
}
