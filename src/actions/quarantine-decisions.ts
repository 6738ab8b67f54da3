import { randomBytes } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import type { EncryptedDelivery } from '../crypto/encrypt-message.js';
import { renderPassphraseNotice } from '../crypto/passphrase-notice.js';
import type { Envelope } from '../message/envelope.js';
import type { SmtpReply } from '../smtp/spooled-message.js';
import type { MailQueue, ReleaseRequest } from '../queue/mail-queue.js';
import { passphraseNoticeMail, rejectionNotice, releaseNotice, type HeldMessage } from '../queue/notices.js';
import type { QuarantinedMessage, QuarantineSummary } from '../store/quarantine-store.js';
import type { Store } from '../store/store.js';
import type { NextHop } from '../delivery/next-hop.js';
import { deliverBytes } from '../delivery/spooled-bytes.js';
import { HallmonitorError, type Disposition } from '../errors/hallmonitor-error.js';

export interface ReleaseDependencies {
  readonly store: Pick<Store, 'quarantine' | 'audit'>;
  readonly nextHop: NextHop;
  readonly mail: Pick<MailQueue, 'enqueue'>;
  /** For a release the reviewer asked to go encrypted (as the `encrypt` verdict does it). */
  encrypt(raw: Buffer, envelope: Envelope, schoolId?: string): Promise<EncryptedDelivery>;
  /** Where a released message waits while it is handed on; removed after. */
  readonly spoolDirectory: string;
}

/** Why a release or rejection did not happen; the message never holds content. */
export class DecisionRefused extends HallmonitorError {
  readonly disposition: Disposition;

  constructor(
    readonly code: 'not-held' | 'body-destroyed' | 'next-hop-refused' | 'next-hop-deferred',
    message: string,
  ) {
    super(message);
    this.name = 'DecisionRefused';
    this.disposition = code === 'next-hop-deferred' ? 'temporary' : 'permanent';
  }
}

/**
 * The reviewer's release: recorded on the held record (with its audit entry), then queued. The job reads the
 * record when it runs, so asking again for "release encrypted" while a plain release waits to be retried is
 * what happens. Refused if the message is not held (decided already, or being delivered right now).
 */
export async function requestRelease(
  deps: { readonly store: Pick<Store, 'quarantine'>; readonly mail: Pick<MailQueue, 'enqueueRelease'> },
  id: string,
  request: { readonly actor: string; readonly encrypt: boolean; readonly reason?: string; readonly at?: Date },
): Promise<void> {
  const { won, status } = await deps.store.quarantine.requestRelease(id, request);
  if (!won) throw new DecisionRefused('not-held', `message ${id} is ${status ?? 'not found'}, not held`);
  await deps.mail.enqueueRelease({ messageId: id });
}

/**
 * The release job: claims the record (`releasing`, so a deletion meanwhile is refused, not recorded over mail that
 * is leaving), delivers it as the latest request says (encrypted if any reviewer asked) to its original recipients
 * through the same next hop, and only once the next hop took it marks it released and tells the sender. Anything
 * short of that puts it back to `held`: a deferral is thrown to be retried; a refusal fails for good and stays visible.
 */
export async function releaseHeldMessage(deps: ReleaseDependencies, request: ReleaseRequest): Promise<void> {
  // Claimed before it is unsealed: a message deleted, rejected or expired while the job waited has no body
  // to deliver, and the job ends with nothing to do.
  const claim = await deps.store.quarantine.claimRelease(request.messageId);
  if (!claim) return;
  let reply: SmtpReply;
  let held: QuarantinedMessage;
  try {
    held = await deps.store.quarantine.open(request.messageId);
    reply = await deliverStored(deps, held, { encrypt: claim.encrypt });
  } catch (error) {
    await deps.store.quarantine.finishRelease(request.messageId, { delivered: false, claim });
    throw error;
  }
  await deps.store.quarantine.finishRelease(held.id, { delivered: reply.code === 250, claim });
  if (reply.code >= 500) throw new UnrecoverableError(`next-hop-refused ${reply.code}`);
  if (reply.code !== 250) throw new DecisionRefused('next-hop-deferred', `the next hop deferred the release (${reply.code})`);
  const notice = releaseNotice(heldAs(held), { encrypted: claim.encrypt });
  if (notice) await deps.mail.enqueue(notice);
}

/** Rejects a held message: it will never be sent; the sender is told why. Refused if it is no longer held. */
export async function rejectHeldMessage(
  deps: { readonly store: Pick<Store, 'quarantine'>; readonly mail: Pick<MailQueue, 'enqueue'> },
  id: string,
  decision: { readonly actor: string; readonly reason: string },
): Promise<void> {
  const { won, status } = await deps.store.quarantine.decide(id, { status: 'rejected', actor: decision.actor, reason: decision.reason });
  if (!won) throw new DecisionRefused('not-held', `message ${id} is ${status}, not held`);
  const notice = rejectionNotice(heldAs(await deps.store.quarantine.open(id)), decision.reason);
  if (notice) await deps.mail.enqueue(notice);
}

/**
 * Deletes a held message: its sealed body is destroyed at once and it will never be sent. Unlike a rejection
 * the sender is not told: deletion is for a message that must not go anywhere and whose sender someone is
 * already dealing with (the DSL, HR), where a notice would tip them off or invite a resend. Refused if it is
 * no longer held.
 */
export async function deleteHeldMessage(
  deps: { readonly store: Pick<Store, 'quarantine'> },
  id: string,
  decision: { readonly actor: string; readonly reason: string },
): Promise<void> {
  const { won, status } = await deps.store.quarantine.decide(id, { status: 'deleted', actor: decision.actor, reason: decision.reason });
  if (!won) throw new DecisionRefused('not-held', `message ${id} is ${status ?? 'not found'}, not held`);
}

/** A message the store kept, as the gateway delivers it later (a release, a sender's override): its original envelope. */
export type StoredMessage = Pick<QuarantinedMessage, 'id' | 'schoolId' | 'from' | 'rcpt' | 'raw'>;

/** Delivers a kept message through the next hop, as sent or encrypted to each recipient. */
export function deliverStored(deps: Omit<ReleaseDependencies, 'store'>, message: StoredMessage, how: { readonly encrypt: boolean }): Promise<SmtpReply> {
  return how.encrypt ? deliverEncrypted(deps, message) : deliverBytes(deps.nextHop, message.raw, { mailFrom: message.from, rcptTo: message.rcpt });
}

/** Each recipient's form, the sender's passphrases queued first; the first form the next hop does not take ends it. */
async function deliverEncrypted(deps: Omit<ReleaseDependencies, 'store'>, held: StoredMessage): Promise<SmtpReply> {
  const envelope = { mailFrom: held.from, rcptTo: held.rcpt };
  const delivery = await deps.encrypt(held.raw, envelope, held.schoolId);
  const tryId = `release-${held.id}-${randomBytes(6).toString('hex')}`;
  const notices = delivery.passphrases.map((passphrase, index) => passphraseNoticeMail(`${tryId}-${index}`, renderPassphraseNotice(held.from, passphrase)));
  if (notices.length > 0) await deps.mail.enqueue(notices);
  for (const form of delivery.messages) {
    const reply = await deliverBytes(deps.nextHop, form.raw, { mailFrom: held.from, rcptTo: form.recipients });
    if (reply.code !== 250) return reply;
  }
  return { code: 250, message: 'sent encrypted' };
}

function heldAs(summary: QuarantineSummary): HeldMessage {
  return { messageId: summary.id, sender: summary.from, recipients: summary.rcpt, receivedAt: summary.receivedAt };
}
