import type { Finding } from '../detect/finding.js';
import type { Action } from '../policy/verdict.js';

/** Metadata of one verdict: no content, no subject, no recipients' local parts. */
export interface VerdictAuditEntry {
  readonly kind: 'verdict';
  /** The gateway's id for the message (the quarantine id when it was held). */
  readonly messageId: string;
  readonly schoolId: string;
  readonly action: Action;
  /** The rules that fired, deciding ones first. */
  readonly ruleIds: readonly string[];
  /** Findings per category, e.g. `{ "pupil-name": 2 }`; see `countCategories`. */
  readonly categories: Readonly<Record<string, number>>;
  /** The envelope sender's full address: the register and the training report need the person. */
  readonly sender: string;
  /** Each recipient domain once. */
  readonly recipientDomains: readonly string[];
  readonly recipientCount: number;
  /** Milliseconds spent scanning and acting; stored rounded to whole milliseconds. */
  readonly timings: { readonly scanMs: number; readonly actMs: number };
  /** The SMTP reply code the client was given. */
  readonly replyCode: number;
  /** Default: now. */
  readonly at?: Date;
}

/** Changes to the review app's accounts (src/store/user-directory.ts); the account is named in the reason. */
export const ACCOUNT_ACTIONS = [
  'account-add',
  'account-disable',
  'account-enable',
  'account-password',
  'account-role',
  'account-remove',
  /** The password's hash recomputed at today's scrypt cost at a sign-in (src/smtp/password-hash.ts). */
  'account-password-upgrade',
  'account-mfa-enrol',
  'account-mfa-recovery-code',
  'account-mfa-reset',
  'account-entra-bind',
  'account-entra-guest',
] as const;
export type AccountAction = (typeof ACCOUNT_ACTIONS)[number];

/**
 * `pass` and `loop` are the loop guard's (gateway/loop-guard.ts): a message delivered without a scan because valid
 * traces show this gateway passed it already, and one refused because they show it has passed too often.
 */
/**
 * Sender self-service (src/store/returned-store.ts): `override`, a returned message sent as it was with the sender's
 * reason; `release-request`, a held message's sender asking the DPO for release; `override-revoke` and
 * `override-restore`, the DPO taking a rule's override from a sender and giving it back.
 */
export const SENDER_ACTIONS = ['override', 'release-request', 'override-revoke', 'override-restore'] as const;

/** `false-positive`: a reviewer marked a finding as wrong, with why (src/store/false-positives.ts). */
export const PERSON_ACTIONS = [
  'release',
  'reject',
  'view',
  'delete',
  'export',
  'expire',
  'acknowledge',
  'pass',
  'loop',
  'false-positive',
  ...ACCOUNT_ACTIONS,
  ...SENDER_ACTIONS,
] as const;
export type PersonAction = (typeof PERSON_ACTIONS)[number];

/** What a person (kind `human`) or the gateway itself (kind `system`, e.g. retention) did. */
export interface ActionAuditEntry {
  readonly kind: 'human' | 'system';
  readonly schoolId: string;
  /** Who: the user's login for `human`, the job's name (e.g. `retention`) for `system`. */
  readonly actor: string;
  readonly action: PersonAction;
  readonly messageId?: string;
  /** Why, as the person wrote it. */
  readonly reason?: string;
  /** Default: now. */
  readonly at?: Date;
}

export type AuditEntry = VerdictAuditEntry | ActionAuditEntry;

/** Findings per category, the form `VerdictAuditEntry.categories` takes. */
export function countCategories(findings: readonly Pick<Finding, 'category'>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { category } of findings) counts[category] = (counts[category] ?? 0) + 1;
  return counts;
}
