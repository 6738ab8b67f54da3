import type { OverrideMode } from './rule.js';
import type { Finding } from '../detect/finding.js';

/**
 * The four things the gateway can do with a message, most protective first.
 * When several rules fire, the first of these that any of them asks for wins:
 * holding a message for the DPO protects more than returning it to the sender,
 * returning it protects more than sending it encrypted, and encrypting more than delivering.
 */
export const ACTIONS_BY_PROTECTION = ['quarantine', 'return', 'encrypt', 'deliver'] as const;
export type Action = (typeof ACTIONS_BY_PROTECTION)[number];

export const RECIPIENT_ROLES = ['sender', 'business-manager', 'dpo', 'dsl'] as const;
export type NotifiedRole = (typeof RECIPIENT_ROLES)[number];

/** `immediate`: an alert now; `digest`: counted in the daily digest only. */
export const ALERT_LEVELS = ['immediate', 'digest'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export interface Notification {
  readonly to: NotifiedRole;
  readonly level: AlertLevel;
  readonly ruleId: string;
}

/** A rule that fired, with the findings that made it fire. */
export interface FiredRule {
  readonly id: string;
  readonly action: Action;
  readonly description: string;
  /** The policy clause it enforces, as the school wrote it. */
  readonly clause: string;
  /** One line for the SMTP reply and the sender notice. */
  readonly reason: string;
  readonly findings: readonly Finding[];
  /** Whether the sender may set it aside with a reason (rule.ts `override`); absent means `none`. */
  readonly override?: OverrideMode;
}

/** Exactly one decision per message. */
export interface Verdict {
  readonly action: Action;
  /** Every rule that fired, the deciding ones (those asking for `action`) first. */
  readonly rules: readonly FiredRule[];
  readonly findings: readonly Finding[];
  readonly notifications: readonly Notification[];
}

export function moreProtective(a: Action, b: Action): Action {
  return ACTIONS_BY_PROTECTION.indexOf(a) <= ACTIONS_BY_PROTECTION.indexOf(b) ? a : b;
}
