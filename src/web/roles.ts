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
  /** Delete a held message: its body is destroyed at once, nothing is sent, the sender is not told. */
  | 'delete'
  /** The dashboard: counts per week, top rules, senders who may need training, quarantine age. */
  | 'dashboard'
  /** The alerts inbox: the alerts raised for the user's role (every role's for the DPO and the admin), and acknowledging them. */
  | 'alerts'
  /** The near-miss / incident register and its CSV: senders and recipient domains, no content. */
  | 'register'
  /** The accounts page: every account's role, schools and state; disable, enable, change the role, remove. */
  | 'accounts'
  /** Senders' overrides and release requests, and revoking a rule's override for a sender. */
  | 'overrides'
  /** The activity explorer and its CSV: every verdict, override and release, as metadata (no subject, no content). */
  | 'activity'
  /** Marking a finding as a false positive, and the tuning report of which rules and terms misfire. */
  | 'tune';

/**
 * The DPO and the IT admin review and decide; the DSL reads (safeguarding context) but does not decide; the
 * Business Manager sees only the list, which is what the dashboard counts are made of. Downloading an
 * attachment takes it out of the gateway's encryption at rest, so it is the DPO's alone. Deleting destroys the
 * only copy before its retention period, which may be evidence of a breach or of a safeguarding concern and
 * cannot be undone: a data-protection decision, so the DPO's alone too. The register is the
 * DPO's record of breaches and near misses, kept with the admin and the Business Manager; the DSL sees the
 * dashboard's trends but not the register. Every role may read the rules, and has an alerts inbox. Accounts
 * are the IT admin's to keep: who may sign in, and as what. Senders' overrides are reviewed by those who decide:
 * the DPO and the admin see them and may take a rule's override from a sender. The activity explorer is metadata,
 * as the list is, so every role has it (the held message stays behind `read`); judging a finding a false positive
 * tunes the policy, so it is for those who decide.
 */
const PERMISSIONS: Readonly<Record<UserRole, readonly Permission[]>> = {
  dpo: ['list', 'read', 'decide', 'download', 'delete', 'dashboard', 'register', 'alerts', 'overrides', 'activity', 'tune'],
  admin: ['list', 'read', 'decide', 'dashboard', 'register', 'alerts', 'accounts', 'overrides', 'activity', 'tune'],
  dsl: ['list', 'read', 'dashboard', 'alerts', 'activity'],
  'business-manager': ['list', 'dashboard', 'register', 'alerts', 'activity'],
};

export function can(role: UserRole, permission: Permission): boolean {
  return PERMISSIONS[role].includes(permission);
}
