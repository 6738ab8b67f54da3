import type { Finding } from '../detect/finding.js';
import { ACTIONS_BY_PROTECTION, type Verdict } from './verdict.js';

/** Which rules fired on which findings, and why the action won; for `rules explain`. */
export function explainVerdict(verdict: Verdict, describe: (finding: Finding) => string): string {
  const lines = [`verdict: ${verdict.action}`];
  if (verdict.rules.length === 0) {
    lines.push('no rule fired, so the message is delivered');
    return lines.join('\n');
  }
  for (const rule of verdict.rules) {
    lines.push('', `${rule.id} → ${rule.action}${rule.action === verdict.action ? ' (deciding)' : ''}`, `  ${rule.description}`, `  clause: ${rule.clause}`);
    for (const finding of rule.findings) lines.push(`  on: ${describe(finding)}`);
  }
  const asked = [...new Set(verdict.rules.map((rule) => rule.action))];
  lines.push(
    '',
    `why ${verdict.action}: ${asked.length === 1 ? 'it is the only action the fired rules ask for' : `the most protective of ${asked.join(', ')}`} (order: ${ACTIONS_BY_PROTECTION.join(' > ')})`,
  );
  return lines.join('\n');
}
