import type { User } from '../store/user-directory.js';
import { barChart } from './bar-chart.js';
import { html } from './html.js';
import { page } from './layout.js';
import type { SchoolTerm } from './school-terms.js';
import type { WeeklyCounts } from './weekly-counts.js';
import { ACTIONS_BY_PROTECTION } from '../policy/verdict.js';
import type { SafeHtml } from './html.js';

/** Senders stopped at least this often in the period are listed as possibly needing training. */
export const TRAINING_THRESHOLD = 3;

/** Everything the dashboard shows: counts, rule ids and senders' addresses, never content or subjects. */
export interface DashboardData {
  readonly user: User;
  readonly csrf: string;
  /** What the counts cover, in words: `the last 8 weeks (UTC)`, or a school term with its UK dates. */
  readonly period: string;
  /** The chosen term's id (`2026-autumn`), or '' for the last eight weeks. */
  readonly term: string;
  /** The chosen school's id, or '' for every school the user sees. */
  readonly school: string;
  /** The terms offered, newest first. */
  readonly terms: readonly SchoolTerm[];
  readonly verdicts: WeeklyCounts;
  readonly findings: WeeklyCounts;
  /** Verdicts per school and action in the period. */
  readonly bySchool: readonly { readonly schoolId: string; readonly action: string; readonly count: number }[];
  readonly topRules: readonly { readonly ruleId: string; readonly fired: number }[];
  /** Senders with `TRAINING_THRESHOLD` or more messages held or returned in the period, most first. */
  readonly trainingSenders: readonly { readonly sender: string; readonly stopped: number }[];
  /** Messages still held, by how long they have waited. */
  readonly heldByAge: { readonly underADay: number; readonly oneToSevenDays: number; readonly overSevenDays: number };
  /** Returned messages their senders sent as they were, per rule set aside: a rule overridden often is one to tune. */
  readonly overridesPerRule: readonly { readonly ruleId: string; readonly overrides: number }[];
}

export function dashboardPage(data: DashboardData): string {
  const { verdicts, findings, heldByAge } = data;
  const total = (counts: WeeklyCounts) => counts.counts.flat().reduce((sum, count) => sum + count, 0);
  const body = html`<p>${data.period.charAt(0).toUpperCase()}${data.period.slice(1)}${data.school ? `, ${data.school} only` : ''}, from the audit log: counts only, no message content.</p>
${periodForm(data)}
<h2 id="held-age">Messages waiting for a decision</h2>
<dl class="envelope" aria-labelledby="held-age">
<dt>Under a day</dt><dd>${heldByAge.underADay}</dd>
<dt>1 to 7 days</dt><dd>${heldByAge.oneToSevenDays}</dd>
<dt>Over 7 days</dt><dd>${heldByAge.overSevenDays}</dd>
</dl>
${heldByAge.overSevenDays > 0 ? html`<p class="error">${heldByAge.overSevenDays === 1 ? '1 message has' : `${heldByAge.overSevenDays} messages have`} waited over a week: <a href="/quarantine?status=held">review the quarantine</a>.</p>` : null}
<h2>Verdicts per week</h2>
${
  total(verdicts) === 0
    ? html`<p>No verdicts in the period.</p>`
    : barChart({
        caption: 'Verdicts per week, by action',
        rowHeading: 'Week from',
        columns: verdicts.keys,
        rows: verdicts.weeks.map((label, week) => ({ label, values: verdicts.counts[week] ?? [] })),
      })
}
<h2>Findings per week</h2>
${
  total(findings) === 0
    ? html`<p>No findings in the period.</p>`
    : barChart({
        caption: 'Findings per week, by category',
        rowHeading: 'Week from',
        columns: findings.keys,
        rows: findings.weeks.map((label, week) => ({ label, values: findings.counts[week] ?? [] })),
      })
}
<h2>Verdicts by school</h2>
${schoolChart(data.bySchool)}
<h2>Rules that fired most</h2>
${
  data.topRules.length === 0
    ? html`<p>No rule fired in the period.</p>`
    : html`<div class="table-wrap" role="region" aria-label="Rules by verdicts fired in" tabindex="0"><table><caption class="skip">Rules by verdicts fired in</caption><thead><tr><th scope="col">Rule</th><th scope="col">Verdicts</th></tr></thead>
<tbody>${data.topRules.map((rule) => html`<tr><td><a href="/rules#rule-${rule.ruleId}">${rule.ruleId}</a></td><td>${rule.fired}</td></tr>`)}</tbody></table></div>`
}
<h2>Overrides per rule</h2>
<p>Returned messages their senders sent as they were, with a reason: a rule overridden often is a rule to tune.</p>
${
  data.overridesPerRule.length === 0
    ? html`<p>No overrides in the period.</p>`
    : html`<div class="table-wrap" role="region" aria-label="Overrides per rule" tabindex="0"><table><caption class="skip">Overrides per rule</caption><thead><tr><th scope="col">Rule</th><th scope="col">Overrides</th></tr></thead>
<tbody>${data.overridesPerRule.map((rule) => html`<tr><td><a href="/rules#rule-${rule.ruleId}">${rule.ruleId}</a></td><td>${rule.overrides}</td></tr>`)}</tbody></table></div>`
}
<h2>Senders who may need training</h2>
<p>Staff with ${TRAINING_THRESHOLD} or more messages held or returned in the period.</p>
${
  data.trainingSenders.length === 0
    ? html`<p>Nobody in the period.</p>`
    : html`<div class="table-wrap" role="region" aria-label="Senders with ${TRAINING_THRESHOLD} or more messages stopped" tabindex="0"><table><caption class="skip">Senders with ${TRAINING_THRESHOLD} or more messages stopped</caption><thead><tr><th scope="col">Sender</th><th scope="col">Held or returned</th></tr></thead>
<tbody>${data.trainingSenders.map((sender) => html`<tr><td>${sender.sender}</td><td>${sender.stopped}</td></tr>`)}</tbody></table></div>`
}`;
  return page('Dashboard', body, { user: data.user, csrf: data.csrf });
}

/** The period (the last eight weeks, or a school term) and the school; a GET form, so a view can be bookmarked. */
function periodForm(data: DashboardData): SafeHtml {
  return html`<form method="get" action="/dashboard" class="filters" aria-label="Period and school">
<div><label for="term">Period</label><select id="term" name="term"><option value="">The last 8 weeks</option>${data.terms.map((term) => html`<option value="${term.id}"${term.id === data.term ? html` selected` : null}>${term.label}</option>`)}</select></div>
<div><label for="school">School id</label><input id="school" name="school" type="text" value="${data.school}"></div>
<div><button type="submit">Show</button></div>
</form>`;
}

/** A row per school, a column per action: a trust's schools side by side, each a link to its own dashboard. */
function schoolChart(rows: DashboardData['bySchool']): SafeHtml {
  if (rows.length === 0) return html`<p>No verdicts in the period.</p>`;
  const schools = [...new Set(rows.map((row) => row.schoolId))];
  const actions = [
    ...ACTIONS_BY_PROTECTION,
    ...[...new Set(rows.map((row) => row.action))].filter((action) => !(ACTIONS_BY_PROTECTION as readonly string[]).includes(action)).sort(),
  ];
  return barChart({
    caption: 'Verdicts by school, by action',
    rowHeading: 'School',
    columns: actions,
    rows: schools.map((schoolId) => ({ label: schoolId, values: actions.map((action) => rows.find((row) => row.schoolId === schoolId && row.action === action)?.count ?? 0) })),
  });
}
