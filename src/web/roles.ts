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
  | 'download';

/**
 * The DPO and the IT admin review and decide; the DSL reads (safeguarding context) but does not decide; the
 * Business Manager sees only the list, which is what the dashboard counts are made of. Downloading an
 * attachment takes it out of the gateway's encryption at rest, so it is the DPO's alone.
 */
const PERMISSIONS: Readonly<Record<UserRole, readonly Permission[]>> = {
  dpo: ['list', 'read', 'decide', 'download'],
  admin: ['list', 'read', 'decide'],
  dsl: ['list', 'read'],
  'business-manager': ['list'],
};

export function can(role: UserRole, permission: Permission): boolean {
  return PERMISSIONS[role].includes(permission);
}
