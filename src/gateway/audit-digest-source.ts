import type { RuleSet } from '../policy/decide.js';
import { ACTIONS_BY_PROTECTION, type Action } from '../policy/verdict.js';
import type { DigestSource, DigestSummary } from '../queue/digest.js';
import type { AuditLog } from '../store/audit-log.js';

/** Enough rows to count every rule and sender of a school's day. */
const ALL = 10_000;

/**
 * The daily digest's counts, from the audit log: verdicts by action, findings by category, the rules that
 * fired most, senders whose mail was stopped, and how many notifications the rules left for the digest.
 */
export function auditDigestSource(audit: AuditLog, ruleSetOf: (schoolId: string) => RuleSet | undefined): DigestSource {
  return {
    async summarise(schoolId, since, until): Promise<DigestSummary> {
      const range = { since, until, schoolIds: [schoolId] };
      const [daily, rules, senders] = await Promise.all([audit.countsByDay(range), audit.topRules(range, ALL), audit.topSenders(range, ALL)]);
      const verdicts: Partial<Record<Action, number>> = {};
      for (const row of daily.verdicts) {
        const action = ACTIONS_BY_PROTECTION.find((each) => each === row.action);
        if (action) verdicts[action] = (verdicts[action] ?? 0) + row.count;
      }
      const categories: Record<string, number> = {};
      for (const row of daily.findings) categories[row.category] = (categories[row.category] ?? 0) + row.count;
      const digestRoles = new Map((ruleSetOf(schoolId)?.rules ?? []).map((rule) => [rule.id, rule.notify.filter((notify) => notify.level === 'digest').length]));
      return {
        verdicts,
        categories,
        topRules: rules.slice(0, 10).map((rule) => ({ id: rule.ruleId, count: rule.fired })),
        sendersNeedingTraining: senders.map((sender) => ({ sender: sender.sender, count: sender.stopped })),
        digestNotifications: rules.reduce((sum, rule) => sum + rule.fired * (digestRoles.get(rule.ruleId) ?? 0), 0),
      };
    },
  };
}
