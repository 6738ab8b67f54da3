import { stringify } from 'csv-stringify/sync';
import type { TuningReport } from '../store/false-positives.js';
import { neutraliseFormula } from '../store/incidents-csv.js';
import type { User } from '../store/user-directory.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import type { SchoolTerm } from './school-terms.js';

/** The report's rows: false positives per rule with how many verdicts the rule fired in, per category and per term. */
export interface TuningRows {
  readonly byRule: readonly { readonly schoolId: string; readonly ruleId: string; readonly falsePositives: number; readonly fired: number }[];
  readonly byCategory: TuningReport['byCategory'];
  readonly byTerm: TuningReport['byTerm'];
}

/** Joins each rule's false positives to how often it fired, so a rate can be read beside the count. */
export function tuningRows(report: TuningReport, fired: readonly { readonly schoolId: string; readonly ruleId: string; readonly fired: number }[]): TuningRows {
  const firedOf = (schoolId: string, ruleId: string) => fired.find((row) => row.schoolId === schoolId && row.ruleId === ruleId)?.fired ?? 0;
  return { byRule: report.byRule.map((row) => ({ ...row, fired: firedOf(row.schoolId, row.ruleId) })), byCategory: report.byCategory, byTerm: report.byTerm };
}

export interface TuningPageData {
  readonly user: User;
  readonly csrf: string;
  readonly term: SchoolTerm;
  readonly school: string;
  /** The terms offered, newest first. */
  readonly terms: readonly SchoolTerm[];
  readonly rows: TuningRows;
}

/** Which rules, categories and terms reviewers marked wrong most often, per school, over a school term. */
export function tuningPage(data: TuningPageData): string {
  const { rows, term } = data;
  const query = `?term=${encodeURIComponent(term.id)}${data.school ? `&school=${encodeURIComponent(data.school)}` : ''}`;
  const body = html`<p>Findings that reviewers marked as false positives, on messages of ${term.label} (${term.firstDay} to ${term.lastDay}, UK dates), most first: a rule or a term near the top is one to tune. Mark a finding from the <a href="/activity">activity explorer</a> or a held message.</p>
<form method="get" action="/tuning" class="filters" aria-label="Term and school">
<div><label for="term">Term</label><select id="term" name="term">${data.terms.map((each) => html`<option value="${each.id}"${each.id === term.id ? html` selected` : null}>${each.label}</option>`)}</select></div>
<div><label for="school">School id</label><input id="school" name="school" type="text" value="${data.school}"></div>
<div><button type="submit">Show</button></div>
</form>
<p><a href="/tuning.csv${query}" download>Download as CSV</a></p>
<h2>By rule</h2>
${
  rows.byRule.length === 0
    ? html`<p>No false positives marked in this term.</p>`
    : table(
        'False positives by rule',
        ['School', 'Rule', 'False positives', 'Verdicts it fired in', 'Share'],
        rows.byRule.map((row) => [
          row.schoolId,
          html`<a href="/activity?rule=${encodeURIComponent(row.ruleId)}&amp;school=${encodeURIComponent(row.schoolId)}&amp;since=${term.firstDay}&amp;until=${term.lastDay}">${row.ruleId}</a>`,
          String(row.falsePositives),
          String(row.fired),
          share(row.falsePositives, row.fired),
        ]),
      )
}
<h2>By category</h2>
${
  rows.byCategory.length === 0
    ? html`<p>None.</p>`
    : table(
        'False positives by category',
        ['School', 'Category', 'False positives'],
        rows.byCategory.map((row) => [row.schoolId, row.category, String(row.falsePositives)]),
      )
}
<h2>By term</h2>
<p>The words that matched, for the categories whose matches are the policy's own vocabulary (language, sensitive subjects, chain letters); names, identifiers and addresses are never kept.</p>
${
  rows.byTerm.length === 0
    ? html`<p>None.</p>`
    : table(
        'False positives by term',
        ['School', 'Category', 'Term', 'False positives'],
        rows.byTerm.map((row) => [row.schoolId, row.category, row.term, String(row.falsePositives)]),
      )
}`;
  return page('Tuning report', body, { user: data.user, csrf: data.csrf });
}

function table(caption: string, headings: readonly string[], rows: readonly (readonly (string | SafeHtml)[])[]): SafeHtml {
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0"><table><caption class="skip">${caption}</caption>
<thead><tr>${headings.map((heading) => html`<th scope="col">${heading}</th>`)}</tr></thead>
<tbody>${rows.map((row) => html`<tr>${row.map((cell) => html`<td>${cell}</td>`)}</tr>`)}</tbody></table></div>`;
}

/** False positives as a share of the verdicts the rule fired in, e.g. `25%`; '—' when it fired in none on record. */
function share(falsePositives: number, fired: number): string {
  return fired === 0 ? '—' : `${Math.round((falsePositives / fired) * 100)}%`;
}

/** One CSV for the three views: a row per (school, rule), (school, category) and (school, category, term). */
export function tuningCsv(term: SchoolTerm, rows: TuningRows): string {
  const lines = [
    ...rows.byRule.map((row) => ['rule', row.schoolId, row.ruleId, '', '', String(row.falsePositives), String(row.fired)]),
    ...rows.byCategory.map((row) => ['category', row.schoolId, '', row.category, '', String(row.falsePositives), '']),
    ...rows.byTerm.map((row) => ['term', row.schoolId, '', row.category, row.term, String(row.falsePositives), '']),
  ].map((line) => [term.id, ...line]);
  return stringify([['Term', 'By', 'School', 'Rule', 'Category', 'Matched term', 'False positives', 'Verdicts the rule fired in'], ...lines], {
    cast: { string: neutraliseFormula },
  });
}
