import { readFile } from 'node:fs/promises';
import { EncryptedTooLarge, type EncryptedDelivery } from '../crypto/encrypt-message.js';
import { renderPassphraseNotice } from '../crypto/passphrase-notice.js';
import type { Envelope } from '../message/envelope.js';
import type { FiredRule, Verdict } from '../policy/verdict.js';
import { buildSenderNotice, senderMayOverride, type NoticeContent, type SenderLink } from '../policy/sender-notice.js';
import { renderNotice } from '../policy/notice-templates.js';
import { passphraseNoticeMail, quarantineNotice, senderNoticeMail } from '../queue/notices.js';
import type { OutgoingMail } from '../queue/outgoing-mail.js';
import { contentOf, type SmtpReply } from '../smtp/spooled-message.js';
import type { ActionDependencies, SelfServiceSettings } from './action-dependencies.js';
import type { ReturnedRecord } from '../store/returned-store.js';
import type { MessageCase } from './message-case.js';
import { ActionStepFailed } from './errors.js';
import { deliverBytes } from '../delivery/spooled-bytes.js';
import { alertMails, heldMessage, inboxEntries, verdictEntry } from './verdict-records.js';

export type { ActionDependencies } from './action-dependencies.js';
export type { MessageCase } from './message-case.js';

const NOT_QUEUED: SmtpReply = { code: 451, message: '4.3.0 could not queue the notices for this message; try again later' };
const NOT_RECORDED: SmtpReply = { code: 451, message: '4.3.0 could not record the decision on this message; try again later' };
const HELD: SmtpReply = { code: 250, message: '2.6.0 held for review by the Data Protection Officer; the sender has been told' };
// An automatic message (an out-of-office reply, an NDR) is held without a notice, so the reply must not claim one.
const HELD_UNTOLD: SmtpReply = { code: 250, message: '2.6.0 held for review by the Data Protection Officer' };
const FALLBACK_REASON = 'refused by school email policy';
const MAX_REASON = 200;

/**
 * The reply for a scanned message, given only once what the verdict asks for is done or durably queued
 * (docs/architecture.md). Ordering rule: the decision is recorded before any job about it is queued, and a job the reply
 * depends on is queued before the reply; a retry of the same message reuses the same ids (`MessageCase.key`).
 *
 * @throws ActionStepFailed when a step the reply waits on fails: its `reply` is the 451 to give.
 */
export async function actOnVerdict(deps: ActionDependencies, each: MessageCase): Promise<SmtpReply> {
  switch (each.result.verdict.action) {
    case 'deliver':
      return deliver(deps, each);
    case 'return':
      return returnToSender(deps, each);
    case 'quarantine':
      return holdForReview(deps, each);
    case 'encrypt':
      return deliverEncrypted(deps, each);
  }
}

/**
 * Nobody gets it in clear: each recipient gets the form they can open, and the sender the passphrases to
 * pass on. Notices and alerts are queued before anything goes out. The forms go one after another, each all
 * or nothing; if a later one fails after an earlier was taken, the client is told so and its retry sends the
 * earlier form again (SMTP has no partial success after DATA): a duplicate rather than a loss.
 */
async function deliverEncrypted(deps: ActionDependencies, each: MessageCase): Promise<SmtpReply> {
  const { envelope } = each.result;
  const delivery = await deps.encrypt(contentOf(each.message), envelope, each.school.id).catch((error: unknown) => {
    if (error instanceof EncryptedTooLarge) return error;
    throw error;
  });
  if (delivery instanceof EncryptedTooLarge) return holdForReview(deps, tooLargeToSend(each, delivery));
  // Per try, not per message: a retry encrypts with a new passphrase, so its notice must be a new one too.
  const notices = delivery.passphrases.map((passphrase, index) => passphraseNoticeMail(`${each.message.id}-${index}`, renderPassphraseNotice(envelope.mailFrom, passphrase)));
  const mails = [...notices, ...alertMails(each, deps.alerts)];
  await recordAlerts(deps, each);
  await enqueue(deps, mails);
  for (const form of delivery.messages) {
    const reply = await deliverBytes(deps.nextHop, form.raw, asReceived(each, { mailFrom: envelope.mailFrom, rcptTo: form.recipients }), each.traceHeader);
    if (reply.code !== 250) return reply;
  }
  const reply: SmtpReply = { code: 250, message: `2.6.0 sent encrypted (${formsInWords(delivery)})` };
  await deps.audit.recordLater(verdictEntry(each, reply.code));
  return reply;
}

/** The id the held record and its audit entry carry for a message held because its encrypted form is too large. */
export const ENCRYPTED_TOO_LARGE_RULE = 'encrypted-too-large';

/**
 * The message must go encrypted and its encrypted form is larger than the next hop takes: hold it for the
 * DPO, with that reason first in the sender's notice, rather than have the next hop bounce it (or send it in
 * clear). The rules that asked for encryption stay listed after it.
 */
function tooLargeToSend(each: MessageCase, error: EncryptedTooLarge): MessageCase {
  const { verdict } = each.result;
  const rule: FiredRule = {
    id: ENCRYPTED_TOO_LARGE_RULE,
    action: 'quarantine',
    description: 'The encrypted form of a message that must go encrypted is larger than the next hop accepts.',
    clause: 'Personal data is sent only encrypted or password-protected.',
    reason: `${error.message}; send large files another way, such as a shared link, or ask the Data Protection Officer`,
    findings: [],
  };
  // The DPO is asked to decide, so they are told now, whatever the encrypting rules asked for.
  const notifications = [{ to: 'dpo' as const, level: 'immediate' as const, ruleId: rule.id }, ...verdict.notifications];
  return { ...each, result: { ...each.result, verdict: { ...verdict, action: 'quarantine', rules: [rule, ...verdict.rules], notifications } } };
}

function formsInWords(delivery: EncryptedDelivery): string {
  const count = (name: string) => delivery.messages.filter((form) => form.form === name).flatMap((form) => form.recipients).length;
  const [pgp, page, pdf] = [count('pgp-mime'), count('password-envelope'), count('pdf-envelope')];
  return [pgp > 0 ? `OpenPGP to ${pgp}` : '', pdf > 0 ? `PDF envelope to ${pdf}` : '', page > 0 ? `password envelope to ${page}` : ''].filter(Boolean).join(', ');
}

/**
 * Alerts (e.g. misdirected mail the rules let through) are queued before the message goes, so a 250 never
 * follows an alert that could not be queued; the audit entry follows the next hop's answer, which it records.
 */
async function deliver(deps: ActionDependencies, each: MessageCase): Promise<SmtpReply> {
  const alerts = alertMails(each, deps.alerts);
  await recordAlerts(deps, each);
  await enqueue(deps, alerts);
  const { reply } = await deps.nextHop.deliver(each.message, each.traceHeader);
  await deps.audit.recordLater(verdictEntry(each, reply.code));
  return reply;
}

/**
 * The notice must be safely queued before the 550, or the sender would never learn how to fix the message. With
 * self-service, the message is kept sealed with the decision's audit entry (one transaction) so that the notice's
 * link can send it as it was, without the sender sending it again.
 */
async function returnToSender(deps: ActionDependencies, each: MessageCase): Promise<SmtpReply> {
  const { view, envelope, verdict } = each.result;
  const reply: SmtpReply = { code: 550, message: `5.7.1 ${returnReason(verdict)}` };
  const notice = buildSenderNotice(view, envelope, verdict, each.school.domains);
  const link = notice && deps.selfService ? await keepForSender(deps.selfService, each, notice, reply.code) : undefined;
  if (!link) await recordDecision(deps, each, reply.code);
  const mails = [...(notice ? [senderNoticeMail(each.key, renderNotice(link ? { ...notice, link } : notice))] : []), ...alertMails(each, deps.alerts)];
  await recordAlerts(deps, each);
  await enqueue(deps, mails);
  return reply;
}

/**
 * docs/architecture.md, "hallmonitor serve": 250 only once the message is durably quarantined (one committed transaction with its
 * audit entry and incident) and the sender's notice and the alerts are queued.
 */
async function holdForReview(deps: ActionDependencies, each: MessageCase): Promise<SmtpReply> {
  const { view, envelope, verdict, findings } = each.result;
  const raw = each.message.bytes !== undefined ? each.message.bytes : await readFile(each.message.path);
  await deps.quarantine.hold(
    {
      id: each.key,
      schoolId: each.school.id,
      receivedAt: each.receivedAt,
      envelope: asReceived(each, envelope),
      subject: view.subject,
      raw,
      ruleIds: verdict.rules.map((rule) => rule.id),
      findings,
    },
    verdictEntry(each, HELD.code),
  );
  const notice = each.automatic ? undefined : quarantineNotice(heldMessage(each), verdict, releaseLink(deps.selfService, each));
  const mails = [...(notice ? [notice] : []), ...alertMails(each, deps.alerts)];
  await recordAlerts(deps, each);
  await enqueue(deps, mails);
  return notice ? HELD : HELD_UNTOLD;
}

/** Keeps the returned message for its sender (with the decision's audit entry) and signs the notice's link. */
async function keepForSender(selfService: SelfServiceSettings, each: MessageCase, notice: NoticeContent, replyCode: number): Promise<SenderLink> {
  const { envelope, verdict } = each.result;
  const expiresAt = linkExpiry(selfService, each);
  const offersOverride = senderMayOverride(verdict);
  const raw = each.message.bytes !== undefined ? each.message.bytes : await readFile(each.message.path);
  const record: ReturnedRecord = {
    id: each.key,
    schoolId: each.school.id,
    receivedAt: each.receivedAt,
    envelope: asReceived(each, envelope),
    raw,
    ruleIds: verdict.rules.map((rule) => rule.id),
    returnedBy: verdict.rules.filter((rule) => rule.action === verdict.action).map((rule) => rule.id),
    overridable: offersOverride,
    // A rule that wants the content encrypted still does when the sender sets the returning rule aside.
    encrypt: verdict.rules.some((rule) => rule.action === 'encrypt'),
    expiresAt,
    notice: { reasons: notice.reasons, found: notice.found, rewrite: notice.rewrite, moveToBcc: notice.moveToBcc, suggestSecure: notice.suggestSecure },
  };
  await beforeReplying(() => selfService.returned.keep(record, verdictEntry(each, replyCode)), NOT_RECORDED);
  return { url: senderPageUrl(selfService.baseUrl, selfService.links.sign('returned', each.key, envelope.mailFrom, expiresAt)), expiresAt, offersOverride };
}

/** "Ask for release" in a held message's notice, only where every rule that held it allows it. */
function releaseLink(selfService: SelfServiceSettings | undefined, each: MessageCase): { url: string; expiresAt: Date } | undefined {
  if (!selfService || !senderMayOverride(each.result.verdict) || each.result.envelope.mailFrom === '') return undefined;
  const expiresAt = linkExpiry(selfService, each);
  return { url: senderPageUrl(selfService.baseUrl, selfService.links.sign('held', each.key, each.result.envelope.mailFrom, expiresAt)), expiresAt };
}

/** The sender's page for a link (src/web/sender-routes.ts). */
export function senderPageUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/sender/${token}`;
}

/** From when the message came in, so a client's retry signs the same link. */
function linkExpiry(selfService: SelfServiceSettings, each: MessageCase): Date {
  return new Date(each.receivedAt.getTime() + selfService.linkHours * 3_600_000);
}

/**
 * `envelope`'s addresses spelt as the client gave them. The scan compares addresses without case, so its
 * envelope is in small letters; what is delivered, now or on release, keeps the local parts' case, which
 * only the receiving domain may interpret (RFC 5321 §2.4).
 */
function asReceived(each: MessageCase, envelope: Envelope): Envelope {
  const given = new Map([each.message.envelope.mailFrom, ...each.message.envelope.rcptTo].map((address) => [address.toLowerCase(), address]));
  const spelt = (address: string) => given.get(address) ?? address;
  return { mailFrom: spelt(envelope.mailFrom), rcptTo: envelope.rcptTo.map(spelt) };
}

/** The decision, durably in the audit log before the reply depends on it. */
function recordDecision(deps: ActionDependencies, each: MessageCase, replyCode: number): Promise<void> {
  return beforeReplying(() => deps.audit.record(verdictEntry(each, replyCode)), NOT_RECORDED);
}

/**
 * Every alert the verdict raises, committed to the alerts inbox: before the jobs and the reply, so a failure
 * answers 451 and the client's retry records them (idempotent by the message key). A verdict that alerts
 * nobody, clean mail included, costs no round trip.
 */
function recordAlerts(deps: ActionDependencies, each: MessageCase): Promise<void> {
  const entries = inboxEntries(each, deps.alerts);
  return entries.length === 0 ? Promise.resolve() : beforeReplying(() => deps.alertInbox.record(entries), NOT_RECORDED);
}

/** Every mail safely queued (nothing to queue is trivially so). */
function enqueue(deps: ActionDependencies, mails: readonly OutgoingMail[]): Promise<void> {
  return mails.length === 0 ? Promise.resolve() : beforeReplying(() => deps.mail.enqueue(mails), NOT_QUEUED);
}

/** Runs a step the reply depends on; if it fails, the client is answered `otherwise` (a 451) and retries. */
async function beforeReplying(step: () => Promise<unknown>, otherwise: SmtpReply): Promise<void> {
  try {
    await step();
  } catch (cause) {
    throw new ActionStepFailed(otherwise, cause);
  }
}

/** The deciding rule's reason: written by the school as policy text, and cut to one printable line. */
export function returnReason(verdict: Verdict): string {
  const reason = verdict.rules.find((rule) => rule.action === 'return')?.reason ?? '';
  const line = reason
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (line === '') return FALLBACK_REASON;
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON - 3)}...` : line;
}
