import { domainOf } from '../message/addresses.js';
import type { AlertRole } from '../store/user-directory.js';

/** Everything the gateway writes to people of its own accord; each is one kind of job on the outgoing-mail queue. */
export const MAIL_KINDS = ['sender-notice', 'quarantine-notice', 'release-notice', 'rejection-notice', 'passphrase-notice', 'alert', 'digest'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** A school's alert recipients by role (its `alerts:` in the configuration). */
export type RecipientsByRole = Readonly<Record<AlertRole, readonly string[]>>;

/**
 * One email, rendered when it is queued so that the worker only sends it. Its `id` is the job id,
 * which keeps it queued once however often it is enqueued, and makes its Message-ID.
 */
export interface OutgoingMail {
  /** `<kind>.<messageId>[.<role>]` (see `mailJobId`). */
  readonly id: string;
  readonly kind: MailKind;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * The stable job id of one mail: `<kind>.<key>[.<role>]`, `key` being the spool id of the message it is
 * about (or `<school>-<date>` for a digest). BullMQ forbids ':' in ids and integer ids; anything outside
 * the characters of a Message-ID's local part is replaced too, so the id can make the Message-ID.
 */
export function mailJobId(kind: MailKind, key: string, role?: AlertRole): string {
  return [kind, safeKey(key), ...(role ? [role] : [])].join('.');
}

export function safeKey(key: string): string {
  return key.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * RFC 5322 §3.6.4: a Message-ID made from the job id and the sender's domain, the same on every try,
 * so that a copy sent twice (a worker killed after the next hop took it) is recognisably a duplicate.
 */
export function mailMessageId(mailId: string, from: string): string {
  return `<${mailId}@${domainOf(from) || 'localhost'}>`;
}
