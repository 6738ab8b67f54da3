import { justificationCategory, type OverrideReasonCategory } from '../policy/justifications.js';
import type { AlertInboxEntry } from '../store/alert-inbox.js';
import { recipientDomains } from '../message/addresses.js';
import { renderDocument, schoolTime } from '../compose/mail-document.js';
import { mailJobId, type OutgoingMail, type RecipientsByRole } from './outgoing-mail.js';
import { NO_CONTENT_NOTE } from './wording.js';

/** What the DPO is told of a sender's override: which rules, who, when, the reason's category; never the message or the sender's words. */
export interface OverrideFacts {
  readonly school: { readonly id: string; readonly name?: string | undefined };
  /** The returned message's id (its spool id). */
  readonly messageId: string;
  readonly overriddenAt: Date;
  readonly sender: string;
  /** The envelope recipients; only their domains reach the alert. */
  readonly recipients: readonly string[];
  /** The rules that returned it and that the sender set aside, as they read now. */
  readonly rules: readonly { readonly id: string; readonly description: string; readonly clause: string }[];
  readonly category: OverrideReasonCategory;
  /** It went encrypted, as a rule that fired asked. */
  readonly encrypted: boolean;
  /** The review app as staff reach it, for the link to the overrides page. */
  readonly reviewBaseUrl: string;
  readonly timeZone?: string;
}

/**
 * The DPO's alert for an override: always raised (the DPO sees every message sent this way), recorded in the
 * alerts inbox whether or not the DPO has an address, and emailed at once where they have one. Its id is the
 * message's own (`alert.<id>-override.dpo`), distinct from the verdict's alert, so a retry records it once.
 */
export function overrideAlert(facts: OverrideFacts, recipientsByRole: RecipientsByRole): { readonly inbox: AlertInboxEntry; readonly mail?: OutgoingMail } {
  const id = mailJobId('alert', `${facts.messageId}-override`, 'dpo');
  const to = recipientsByRole.dpo;
  const inbox: AlertInboxEntry = {
    id,
    messageId: facts.messageId,
    schoolId: facts.school.id,
    role: 'dpo',
    level: 'immediate',
    emailed: to.length > 0,
    action: 'override',
    rules: facts.rules.map((rule) => ({ ...rule, level: 'immediate' as const, categories: {} })),
    sender: facts.sender,
    recipientDomains: recipientDomains(facts.recipients),
    recipientCount: facts.recipients.length,
    at: facts.overriddenAt,
    justificationCategory: facts.category,
  };
  if (to.length === 0) return { inbox };
  return { inbox, mail: { id, kind: 'alert', to: [...to], ...renderOverrideAlert(facts) } };
}

function renderOverrideAlert(facts: OverrideFacts) {
  const school = facts.school.name ?? facts.school.id;
  const ruleIds = facts.rules.map((rule) => rule.id);
  return renderDocument({
    subject: `Hallmonitor: a sender overrode ${ruleIds.join(', ')} (${school})`,
    blocks: [
      { strong: `A sender at ${school} sent a returned message as it was, giving a reason.` },
      {
        table: [
          ['School', school],
          ['Time', schoolTime(facts.overriddenAt, facts.timeZone)],
          ['Sender', facts.sender || '(none)'],
          ['Recipient domains', recipientDomains(facts.recipients).join(', ') || '(none)'],
          ['Reason given', justificationCategory(facts.category)],
          ['Sent', facts.encrypted ? 'encrypted, as the policy asks' : 'as written'],
        ],
      },
      { paragraph: ruleIds.length === 1 ? 'The rule set aside:' : 'The rules set aside:' },
      { list: facts.rules.map((rule) => `${rule.id}: ${rule.description} (${rule.clause})`) },
      { link: { label: "Review overrides, and take a rule's override from a sender", url: `${facts.reviewBaseUrl.replace(/\/+$/, '')}/overrides` } },
      { small: NO_CONTENT_NOTE },
    ],
  });
}
