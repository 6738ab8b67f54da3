import { categoryMatches } from './evaluate-condition.js';
import type { RuleSet } from './decide.js';
import type { Condition } from './rule.js';

/** Every category pattern a condition reads (`sensitive/*` stays a pattern). */
export function conditionCategories(condition: Condition): string[] {
  if ('all' in condition) return condition.all.flatMap(conditionCategories);
  if ('any' in condition) return condition.any.flatMap(conditionCategories);
  if ('not' in condition) return conditionCategories(condition.not);
  if ('finding' in condition) return [...condition.finding.category];
  return [];
}

/**
 * The rules among `firedRuleIds` that a finding of `category` could have made fire: those whose condition reads
 * that category. A false positive counts against them, not against a rule that fired for another finding of the
 * same message. When the school's rules no longer name any of them (changed since), every rule that fired.
 */
export function rulesBehind(category: string, firedRuleIds: readonly string[], ruleSet: RuleSet | undefined): string[] {
  const behind = firedRuleIds.filter((ruleId) => {
    const rule = ruleSet?.rules.find((each) => each.id === ruleId);
    return rule !== undefined && conditionCategories(rule.when).some((pattern) => categoryMatches(pattern, category));
  });
  return behind.length > 0 ? behind : [...firedRuleIds];
}
