import type { AlertLevel, FiredRule, Verdict } from '../policy/verdict.js';
import type { AlertedRule, AlertInboxEntry } from '../store/alert-inbox.js';
import { countCategories } from '../store/audit-entry.js';
import { renderDocument, schoolTime, type MailBlock } from '../compose/mail-document.js';
import { recipientDomains } from '../message/addresses.js';
import { ALERT_ROLES, type AlertRole } from '../store/user-directory.js';
import { mailJobId, type OutgoingMail, type RecipientsByRole } from './outgoing-mail.js';
import { ACTION_TAKEN, NO_CONTENT_NOTE, ROLE_TITLES } from './wording.js';

/** What an alert may say about a message: who, when, where to (domains only), and where to review it. */
export interface AlertFacts {
  readonly school: { readonly id: string; readonly name?: string | undefined };
  /** The spool id: it makes the job id and the review link. */
  readonly messageId: string;
  readonly receivedAt: Date;
  /** The envelope sender. */
  readonly sender: string;
  /** The envelope recipients; only their domains reach the alert. */
  readonly recipients: readonly string[];
  /** The review app's address as staff reach it, e.g. `https://hallmonitor.school.sch.uk`. */
  readonly reviewBaseUrl: string;
  /** The school's time zone for the time shown (default Europe/London). */
  readonly timeZone?: string;
}

/**
 * The alert emails a verdict calls for now: one per role with an `immediate` notification (the sender's
 * notices are separate), to that role's addresses. Built only from the verdict's rules, the findings'
 * categories and `facts`: never the subject, body, matched text or attachment names, since an alert
 * travels to people who need to know that something happened, not what it said.
 * Roles without addresses get nothing; `unaddressedAlertRoles` names them for the log.
 */
export function alertsFor(verdict: Verdict, facts: AlertFacts, recipientsByRole: RecipientsByRole): OutgoingMail[] {
  return ALERT_ROLES.flatMap((role) => {
    const rules = immediateRulesFor(verdict, role);
    const to = recipientsByRole[role];
    if (rules.length === 0 || to.length === 0) return [];
    return [{ id: mailJobId('alert', facts.messageId, role), kind: 'alert' as const, to: [...to], ...renderAlert(verdict, rules, facts, role) }];
  });
}

/** Roles a verdict should alert now but that have no addresses configured: a gap the operator must hear about. */
export function unaddressedAlertRoles(verdict: Verdict, recipientsByRole: RecipientsByRole): AlertRole[] {
  return ALERT_ROLES.filter((role) => immediateRulesFor(verdict, role).length > 0 && recipientsByRole[role].length === 0);
}

/**
 * The alerts inbox's record of the same verdict: one entry per role that any rule notifies, at either level,
 * addresses or not (an unaddressed role is exactly who needs the inbox). The same facts as the email, and
 * the same id as its job, so a retried message records each alert once. Nothing for a verdict that alerts nobody.
 */
export function inboxEntriesFor(verdict: Verdict, facts: AlertFacts, recipientsByRole: RecipientsByRole): AlertInboxEntry[] {
  return ALERT_ROLES.flatMap((role) => {
    const rules = alertedRules(verdict, role);
    if (rules.length === 0) return [];
    const level: AlertLevel = rules.some((rule) => rule.level === 'immediate') ? 'immediate' : 'digest';
    return [
      {
        id: mailJobId('alert', facts.messageId, role),
        messageId: facts.messageId,
        schoolId: facts.school.id,
        role,
        level,
        emailed: level === 'immediate' && recipientsByRole[role].length > 0,
        action: verdict.action,
        rules,
        sender: facts.sender,
        recipientDomains: recipientDomains(facts.recipients),
        recipientCount: facts.recipients.length,
        at: facts.receivedAt,
      },
    ];
  });
}

function immediateRulesFor(verdict: Verdict, role: AlertRole): FiredRule[] {
  const ids = new Set(verdict.notifications.filter((n) => n.to === role && n.level === 'immediate').map((n) => n.ruleId));
  return verdict.rules.filter((rule) => ids.has(rule.id));
}

/** The rules that notify `role` at any level, each at the most urgent level asked for. */
function alertedRules(verdict: Verdict, role: AlertRole): AlertedRule[] {
  const levels = new Map<string, AlertLevel>();
  for (const notification of verdict.notifications) {
    if (notification.to !== role || levels.get(notification.ruleId) === 'immediate') continue;
    levels.set(notification.ruleId, notification.level);
  }
  return verdict.rules.flatMap((rule) => {
    const level = levels.get(rule.id);
    return level ? [{ id: rule.id, description: rule.description, clause: rule.clause, level, categories: countCategories(rule.findings) }] : [];
  });
}

function renderAlert(verdict: Verdict, rules: readonly FiredRule[], facts: AlertFacts, role: AlertRole) {
  const school = facts.school.name ?? facts.school.id;
  const domains = recipientDomains(facts.recipients);
  const blocks: MailBlock[] = [
    { strong: `A message from ${school} matched ${rules.length === 1 ? 'a rule' : 'rules'} that alert the ${ROLE_TITLES[role]}.` },
    {
      table: [
        ['School', school],
        ['Time', schoolTime(facts.receivedAt, facts.timeZone)],
        ['Sender', facts.sender || '(none)'],
        ['Recipient domains', domains.join(', ') || '(none)'],
        ['Action taken', ACTION_TAKEN[verdict.action]],
      ],
    },
    { paragraph: rules.length === 1 ? 'The rule:' : 'The rules:' },
    { list: rules.map(ruleLine) },
  ];
  if (verdict.action === 'quarantine') {
    blocks.push({ link: { label: 'Review the held message', url: `${facts.reviewBaseUrl.replace(/\/+$/, '')}/quarantine/${encodeURIComponent(facts.messageId)}` } });
  }
  blocks.push({ small: NO_CONTENT_NOTE });
  return renderDocument({ subject: `Hallmonitor alert: ${rules.map((rule) => rule.id).join(', ')} (${school})`, blocks });
}

/** `id: description (clause). Found: category ×n, …` — categories and counts, never what matched. */
function ruleLine(rule: FiredRule): string {
  const counts = Object.entries(countCategories(rule.findings));
  const found = counts.length === 0 ? 'the recipients alone' : counts.map(([category, count]) => `${category} ×${count}`).join(', ');
  return `${rule.id}: ${rule.description} (${rule.clause}). Found: ${found}.`;
}
