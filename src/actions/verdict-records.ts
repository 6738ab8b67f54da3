import type { OutgoingMail } from '../queue/outgoing-mail.js';
import { alertsFor, inboxEntriesFor, type AlertFacts } from '../queue/alerts.js';
import type { AlertInboxEntry } from '../store/alert-inbox.js';
import type { HeldMessage } from '../queue/notices.js';
import { recipientDomains } from '../message/addresses.js';
import { countCategories, type VerdictAuditEntry } from '../store/audit-entry.js';
import type { AlertSettings } from './action-dependencies.js';
import type { MessageCase } from './message-case.js';

/** The audit entry for a verdict: metadata only (never content: docs/architecture.md, "The model"), with the reply the client was or will be given. */
export function verdictEntry(each: MessageCase, replyCode: number): VerdictAuditEntry {
  const { envelope, verdict, findings } = each.result;
  return {
    kind: 'verdict',
    messageId: each.key,
    schoolId: each.school.id,
    action: verdict.action,
    ruleIds: verdict.rules.map((rule) => rule.id),
    categories: countCategories(findings),
    sender: envelope.mailFrom,
    recipientDomains: recipientDomains(envelope.rcptTo),
    recipientCount: envelope.rcptTo.length,
    timings: { scanMs: each.scanMs, actMs: performance.now() - each.actingSince },
    replyCode,
    at: each.receivedAt,
  };
}

/** The immediate alerts the verdict's rules ask for, to the school's people for each role. */
export function alertMails(each: MessageCase, alerts: AlertSettings): OutgoingMail[] {
  return alertsFor(each.result.verdict, alertFacts(each, alerts), alerts.recipientsFor(each.school.id));
}

/** Every alert the verdict raises, at either level, as the alerts inbox records it. */
export function inboxEntries(each: MessageCase, alerts: AlertSettings): AlertInboxEntry[] {
  return inboxEntriesFor(each.result.verdict, alertFacts(each, alerts), alerts.recipientsFor(each.school.id));
}

function alertFacts(each: MessageCase, alerts: AlertSettings): AlertFacts {
  return {
    school: { id: each.school.id, name: each.school.name },
    messageId: each.key,
    receivedAt: each.receivedAt,
    sender: each.result.envelope.mailFrom,
    recipients: each.result.envelope.rcptTo,
    reviewBaseUrl: alerts.reviewBaseUrl,
  };
}

/** The message as the sender notices describe it. */
export function heldMessage(each: MessageCase): HeldMessage {
  return { messageId: each.key, sender: each.result.envelope.mailFrom, recipients: each.result.envelope.rcptTo, receivedAt: each.receivedAt };
}
