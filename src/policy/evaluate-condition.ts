import type { UnreadReason } from '../message/message-view.js';
import { SEVERITIES, type Finding } from '../detect/finding.js';
import type { Condition } from './rule.js';

/** What a rule may know about a message besides its findings. */
export interface MessageFacts {
  readonly findings: readonly Finding[];
  readonly internalRecipients: readonly string[];
  readonly externalRecipients: readonly string[];
  /** Staff groups the sender belongs to, e.g. `senco`, `office`. */
  readonly senderGroups: readonly string[];
  /** There are external recipients, and each is a contact of a pupil the message names by full name. */
  readonly externalRecipientsAreContactsOfNamedPupils: boolean;
  /** Why some attachment's content was left unread without a fault (audio or video, an image OCR did not read), each once. */
  readonly unreadReasons: readonly UnreadReason[];
}

/** Whether a condition holds, and the findings that made it hold (for explanations). */
export interface ConditionOutcome {
  readonly holds: boolean;
  readonly findings: readonly Finding[];
}

const HOLDS_WITHOUT_FINDINGS: ConditionOutcome = { holds: true, findings: [] };
const FAILS: ConditionOutcome = { holds: false, findings: [] };

export function evaluateCondition(condition: Condition, facts: MessageFacts): ConditionOutcome {
  if ('all' in condition) {
    const outcomes = condition.all.map((part) => evaluateCondition(part, facts));
    return outcomes.every((outcome) => outcome.holds) ? { holds: true, findings: outcomes.flatMap((o) => o.findings) } : FAILS;
  }
  if ('any' in condition) {
    const held = condition.any.map((part) => evaluateCondition(part, facts)).filter((outcome) => outcome.holds);
    return held.length > 0 ? { holds: true, findings: held.flatMap((o) => o.findings) } : FAILS;
  }
  if ('not' in condition) return evaluateCondition(condition.not, facts).holds ? FAILS : HOLDS_WITHOUT_FINDINGS;
  if ('finding' in condition) return matchFindings(condition.finding, facts.findings);
  if ('recipients' in condition) return recipientsHold(condition.recipients, facts) ? HOLDS_WITHOUT_FINDINGS : FAILS;
  if ('unread' in condition) return condition.unread.some((reason) => facts.unreadReasons.includes(reason)) ? HOLDS_WITHOUT_FINDINGS : FAILS;
  return condition.sender.group.some((group) => facts.senderGroups.includes(group)) ? HOLDS_WITHOUT_FINDINGS : FAILS;
}

type FindingCondition = Extract<Condition, { finding: unknown }>['finding'];
type RecipientsCondition = Extract<Condition, { recipients: unknown }>['recipients'];

function matchFindings(condition: FindingCondition, findings: readonly Finding[]): ConditionOutcome {
  const minimumRank = SEVERITIES.indexOf(condition['min-severity'] ?? 'low');
  const matching = findings.filter(
    (finding) =>
      condition.category.some((pattern) => categoryMatches(pattern, finding.category)) &&
      (condition.part === undefined || condition.part.includes(finding.location.part)) &&
      SEVERITIES.indexOf(finding.severity) >= minimumRank,
  );
  return matching.length >= (condition['min-count'] ?? 1) ? { holds: true, findings: matching } : FAILS;
}

export function categoryMatches(pattern: string, category: string): boolean {
  return pattern.endsWith('/*') ? category.startsWith(pattern.slice(0, -1)) : pattern === category;
}

function recipientsHold(condition: RecipientsCondition, facts: MessageFacts): boolean {
  const total = facts.internalRecipients.length + facts.externalRecipients.length;
  if (condition.external !== undefined && condition.external !== facts.externalRecipients.length > 0) return false;
  const contacts = condition['contacts-of-named-pupils'];
  if (contacts !== undefined && contacts !== facts.externalRecipientsAreContactsOfNamedPupils) return false;
  return condition['min-count'] === undefined || total >= condition['min-count'];
}
