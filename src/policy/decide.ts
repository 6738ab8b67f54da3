import type { Finding } from '../detect/finding.js';
import { evaluateCondition, type MessageFacts } from './evaluate-condition.js';
import type { Rule } from './rule.js';
import { moreProtective, type Action, type FiredRule, type Notification, type Verdict } from './verdict.js';

/** A school's policy in force: rules in file order, ids unique. */
export interface RuleSet {
  readonly rules: readonly Rule[];
}

/**
 * Turns findings and envelope facts into exactly one verdict.
 * Every rule is evaluated; the most protective action any fired rule asks for wins,
 * and with no rule firing the message is delivered.
 */
export function decide(ruleSet: RuleSet, facts: MessageFacts): Verdict {
  const fired: FiredRule[] = [];
  const notifications: Notification[] = [];
  let action: Action = 'deliver';
  for (const rule of ruleSet.rules) {
    const outcome = evaluateCondition(rule.when, facts);
    if (!outcome.holds) continue;
    fired.push(firedRule(rule, outcome.findings));
    notifications.push(...rule.notify.map((n) => ({ to: n.to, level: n.level, ruleId: rule.id })));
    action = moreProtective(action, rule.action);
  }
  const deciding = fired.filter((rule) => rule.action === action);
  const others = fired.filter((rule) => rule.action !== action);
  return { action, rules: [...deciding, ...others], findings: facts.findings, notifications };
}

function firedRule(rule: Rule, findings: readonly Finding[]): FiredRule {
  return {
    id: rule.id,
    action: rule.action,
    description: rule.description,
    clause: rule.clause,
    reason: rule.reason,
    findings: [...new Set(findings)],
    override: rule.override ?? 'none',
  };
}
