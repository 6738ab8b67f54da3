import type { RenderedNotice } from '../policy/notice-templates.js';
import type { Verdict } from '../policy/verdict.js';
import { CLOSING_TO_SENDER, listInWords, renderDocument, schoolTime, type MailBlock } from '../compose/mail-document.js';
import { recipientDomains } from '../message/addresses.js';
import { mailJobId, type MailKind, type OutgoingMail } from './outgoing-mail.js';

/** What a notice about a held message may say: when it was sent and to which domains; never its subject or content. */
export interface HeldMessage {
  /** The spool id, which makes the job id. */
  readonly messageId: string;
  /** The envelope sender, who receives the notice; empty for the null sender, who gets none. */
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly receivedAt: Date;
  /** The school's time zone (default Europe/London). */
  readonly timeZone?: string;
}

/** The rewrite suggestions for a returned message (policy/notice-templates renders them), as a queued mail. */
export function senderNoticeMail(messageId: string, notice: RenderedNotice): OutgoingMail {
  return { id: mailJobId('sender-notice', messageId), kind: 'sender-notice', to: [notice.to], subject: notice.subject, text: notice.text, html: notice.html };
}

/** The passphrase of a password envelope, to the sender alone; one per try (see act-on-verdict). */
export function passphraseNoticeMail(tryId: string, notice: RenderedNotice): OutgoingMail {
  return { id: mailJobId('passphrase-notice', tryId), kind: 'passphrase-notice', to: [notice.to], subject: notice.subject, text: notice.text, html: notice.html };
}

/** "Your message … is held for the Data Protection Officer's review because …": the deciding rules' reasons. */
export function quarantineNotice(held: HeldMessage, verdict: Verdict, releaseLink?: { readonly url: string; readonly expiresAt: Date }): OutgoingMail | undefined {
  const reasons = verdict.rules.filter((rule) => rule.action === verdict.action).map((rule) => rule.reason.replace(/[.\s]+$/, ''));
  return notice('quarantine-notice', held, 'Hallmonitor: your message is held for review', [
    { strong: `Your message ${about(held)} is held for the Data Protection Officer's review.` },
    { paragraph: 'Why:' },
    { list: reasons.length > 0 ? reasons : ['it matched the school email policy'] },
    { paragraph: 'You do not need to send it again: you will hear once it has been released or rejected.' },
    ...(releaseLink
      ? [
          { paragraph: 'If it should go as it is, you can ask the Data Protection Officer to release it and say why; they still decide.' },
          { link: { label: 'Ask for its release', url: releaseLink.url } },
          { small: `The link works once, for you only, until ${schoolTime(releaseLink.expiresAt, held.timeZone)}.` },
        ]
      : []),
  ]);
}

/** The DPO released the message: it has gone on, encrypted when they chose so. */
export function releaseNotice(held: HeldMessage, release: { readonly encrypted: boolean }): OutgoingMail | undefined {
  return notice('release-notice', held, 'Hallmonitor: your held message has been sent', [
    { strong: `Your message ${about(held)} was released by the Data Protection Officer and has been sent${release.encrypted ? ', encrypted' : ''}.` },
  ]);
}

/** The DPO rejected the message: it will not be sent, and their reason says what to do instead. */
export function rejectionNotice(held: HeldMessage, reason: string): OutgoingMail | undefined {
  const blocks: MailBlock[] = [{ strong: `Your message ${about(held)} was reviewed by the Data Protection Officer and will not be sent.` }];
  if (reason.trim() !== '') blocks.push({ paragraph: 'Their reason:' }, { paragraph: reason.trim() });
  return notice('rejection-notice', held, 'Hallmonitor: your held message was not sent', blocks);
}

function notice(kind: MailKind, held: HeldMessage, subject: string, blocks: readonly MailBlock[]): OutgoingMail | undefined {
  if (held.sender === '') return undefined;
  return {
    id: mailJobId(kind, held.messageId),
    kind,
    to: [held.sender],
    ...renderDocument({ subject, blocks: [{ paragraph: 'Hello,' }, ...blocks, { small: CLOSING_TO_SENDER }] }),
  };
}

function about(held: HeldMessage): string {
  const domains = recipientDomains(held.recipients);
  return `to ${domains.length > 0 ? listInWords(domains) : 'its recipients'} of ${schoolTime(held.receivedAt, held.timeZone)}`;
}
