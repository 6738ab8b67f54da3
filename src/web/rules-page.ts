import type { RuleSet } from '../policy/decide.js';
import { describeCondition, describeOverride } from '../policy/policy-table.js';
import type { Rule } from '../policy/rule.js';
import type { User } from '../store/user-directory.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';

export interface RulesPageData {
  readonly user: User;
  readonly csrf: string;
  /** Each school's active rules by school id; shown in id order. */
  readonly ruleSets: ReadonlyMap<string, RuleSet>;
  /** The gateway did not give the app its schools' rules, so these are the shipped defaults: say so. */
  readonly defaults: boolean;
}

/** The rules in force, read-only: what each one looks for, the policy clause behind it, its action and who is told. */
export function rulesPage(data: RulesPageData): string {
  const schools = [...data.ruleSets.entries()].sort(([a], [b]) => a.localeCompare(b));
  const body = html`${
    data.defaults
      ? html`<p class="notice" role="status">These are the rules Hallmonitor ships with. A school's own overrides are not shown here.</p>`
      : html`<p>The rules in force now. When several fire, the most protective action wins.</p>`
  }
${schools.map(
  ([schoolId, ruleSet]) => html`${schools.length > 1 || !data.defaults ? html`<h2>School: ${schoolId}</h2>` : null}
${ruleSet.rules.length === 0 ? html`<p>No rules: every message is delivered.</p>` : rulesTable(schoolId, ruleSet.rules, schools.length > 1)}`,
)}`;
  return page('Rules', body, { user: data.user, csrf: data.csrf });
}

function rulesTable(schoolId: string, rules: readonly Rule[], several: boolean): SafeHtml {
  return html`<div class="table-wrap" role="region" aria-label="Rules of ${schoolId}" tabindex="0"><table>
<caption class="skip">Rules of ${schoolId}</caption>
<thead><tr><th scope="col">Rule</th><th scope="col">What it looks for</th><th scope="col">Policy clause</th><th scope="col">Action</th><th scope="col">Sender may override</th><th scope="col">Who is told</th></tr></thead>
<tbody>
${rules.map(
  (rule) => html`<tr${several ? null : html` id="rule-${rule.id}"`}>
<th scope="row">${rule.id}</th>
<td>${rule.description}<br><span class="muted">${describeCondition(rule.when)}</span></td>
<td>${rule.clause}</td>
<td>${rule.action}</td>
<td>${describeOverride(rule)}</td>
<td>${rule.notify.length === 0 ? '—' : rule.notify.map((notify) => `${notify.to} (${notify.level})`).join(', ')}</td>
</tr>
`,
)}</tbody></table></div>`;
}
