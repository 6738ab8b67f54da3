import { FINDING_CATEGORIES } from '../detect/finding.js';
import { ACTIVITY_ACTIONS, type ActivityAction, type ActivityRecord } from '../store/activity-log.js';
import type { MarkedFinding } from '../store/false-positives.js';
import type { User } from '../store/user-directory.js';
import { activityQuery, PUBLIC_FIELDS, type ActivityFields } from './activity-filter.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { pager } from './pager.js';
import { can } from './roles.js';
import { londonTime } from './school-terms.js';

/** What each line's action says. */
export const ACTIVITY_LABELS: Readonly<Record<ActivityAction, string>> = {
  deliver: 'delivered, with findings',
  encrypt: 'sent encrypted',
  return: 'returned to the sender',
  quarantine: 'held for review',
  override: 'sent as it was by its sender',
  release: 'released from the quarantine',
};

export interface ActivityPageData {
  readonly user: User;
  readonly csrf: string;
  readonly fields: ActivityFields;
  readonly lines: readonly ActivityRecord[];
  readonly total: number;
  readonly pageSize: number;
  /** False positives already marked, by verdict seq. */
  readonly marks: ReadonlyMap<number, readonly MarkedFinding[]>;
  readonly notice?: string;
}

/**
 * Every verdict that found something, every override and release: filters in the URL (ids, categories, actions,
 * dates) and a sender posted (an address never goes in a URL), a school's or a sender's history a click away, the
 * same lines as CSV. Metadata only; the held message is a link for the roles that may read it.
 */
export function activityPage(data: ActivityPageData): string {
  const { user, csrf, fields, lines, total } = data;
  const tunes = can(user.role, 'tune');
  const table = html`<div class="table-wrap" role="region" aria-label="Activity" tabindex="0"><table>
<caption class="skip">Activity, newest first</caption>
<thead><tr><th scope="col">Time (UK)</th><th scope="col">School</th><th scope="col">Sender</th><th scope="col">What happened</th><th scope="col">Categories</th><th scope="col" class="optional">Rules</th><th scope="col" class="optional">Recipients</th>${tunes ? html`<th scope="col">False positive</th>` : null}</tr></thead>
<tbody>
${lines.map((line) => activityRow(line, data))}
</tbody></table></div>`;
  const body = html`${data.notice ? html`<p class="notice" role="status">${data.notice}</p>` : null}
<p>Every message the gateway found something in or did more than deliver, and every override and release, newest first. Times and dates are UK time. No subjects or content are kept here.</p>
${filterForm(fields)}
${senderForm(fields, csrf)}
${csvLink(fields, csrf)}
<h2>${total === 1 ? '1 line' : `${total} lines`}${fields.sender ? html` from ${fields.sender}` : null}</h2>
${lines.length === 0 ? html`<p>Nothing matches.</p>` : table}
${fields.sender ? postedPager(fields, total, data.pageSize, csrf) : pager(fields.page, total, data.pageSize, (number) => `/activity${activityQuery(fields, { page: String(number) })}`, { back: 'Newer', on: 'Older' })}`;
  return page('Activity', body, { user, csrf });
}

function activityRow(line: ActivityRecord, data: ActivityPageData): SafeHtml {
  const { user, csrf } = data;
  const when = londonTime(line.at);
  const marked = data.marks.get(line.verdictSeq ?? line.seq) ?? [];
  const opens = line.action === 'quarantine' && can(user.role, 'read');
  const categories = Object.entries(line.categories);
  return html`<tr>
<td>${opens ? html`<a href="/quarantine/${encodeURIComponent(line.messageId)}">${when}</a>` : when}</td>
<td><a href="/activity?school=${encodeURIComponent(line.schoolId)}">${line.schoolId}<span class="skip">: its history</span></a></td>
<td>${line.sender || '(none)'}${line.sender ? historyButton(line.sender, when, csrf) : null}</td>
<td>${ACTIVITY_LABELS[line.action]}${line.actor && line.action === 'release' ? html`<br><span class="muted">by ${line.actor}</span>` : null}</td>
<td>${categories.length === 0 ? '—' : categories.map(([category, count], index) => html`${index > 0 ? ', ' : null}${category} (${count})${marked.some((mark) => mark.category === category) ? html` <strong class="flag">false positive</strong>` : null}`)}</td>
<td class="optional">${line.ruleIds.map((ruleId, index) => html`${index > 0 ? ', ' : null}<a href="/activity?rule=${encodeURIComponent(ruleId)}">${ruleId}</a>`)}</td>
<td class="optional">${line.recipientDomains.join(', ') || '(none)'} (${line.recipientCount})</td>
${can(user.role, 'tune') ? html`<td>${line.actor === undefined && categories.length > 0 ? markForm(line, csrf, when, data.fields) : null}</td>` : null}
</tr>`;
}

/** A sender's history: the address is posted, so the button is a form of its own. */
function historyButton(sender: string, when: string, csrf: string): SafeHtml {
  return html`<form method="post" action="/activity/search" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="sender" value="${sender}"><button type="submit" class="link">History<span class="skip"> of the sender of ${when}</span></button></form>`;
}

function markForm(line: ActivityRecord, csrf: string, when: string, fields: ActivityFields): SafeHtml {
  const id = `fp-${line.seq}`;
  return html`<details><summary>Mark<span class="skip"> a finding of ${when} as a false positive</span></summary>
<form method="post" action="/activity/${line.seq}/false-positive">
<input type="hidden" name="_csrf" value="${csrf}">
${hiddenFilters(fields)}
<p><label for="${id}-category">Finding</label><br><select id="${id}-category" name="finding">${Object.keys(line.categories).map((category) => html`<option value="${category}">${category}</option>`)}</select></p>
<p><label for="${id}-reason">Why it is wrong</label><br><input id="${id}-reason" name="reason" type="text" required maxlength="500"></p>
<p><button type="submit" class="secondary">Mark as false positive</button></p>
</form></details>`;
}

function filterForm(fields: ActivityFields): SafeHtml {
  const options = (values: readonly string[], chosen: string, label: (value: string) => string = (value) => value) => [
    html`<option value="">Any</option>`,
    ...values.map((value) => html`<option value="${value}"${value === chosen ? html` selected` : null}>${label(value)}</option>`),
  ];
  return html`<form method="get" action="/activity" class="filters" aria-label="Filters">
<div><label for="school">School id</label><input id="school" name="school" type="text" value="${fields.school}"></div>
<div><label for="action">What happened</label><select id="action" name="action">${options(ACTIVITY_ACTIONS, fields.action, (value) => ACTIVITY_LABELS[value as ActivityAction])}</select></div>
<div><label for="category">Category</label><select id="category" name="category">${options(FINDING_CATEGORIES, fields.category)}</select></div>
<div><label for="rule">Rule id</label><input id="rule" name="rule" type="text" value="${fields.rule}"></div>
<div><label for="since">From</label><input id="since" name="since" type="date" value="${fields.since}"></div>
<div><label for="until">To</label><input id="until" name="until" type="date" value="${fields.until}"></div>
<div><button type="submit">Filter</button></div>
</form>`;
}

/** The other filters go along as hidden fields, so a sender's history keeps them. */
function hiddenFilters(fields: ActivityFields): SafeHtml {
  return html`${PUBLIC_FIELDS.map((name) => (fields[name] ? html`<input type="hidden" name="${name}" value="${fields[name]}">` : null))}`;
}

function senderForm(fields: ActivityFields, csrf: string): SafeHtml {
  return html`<form method="post" action="/activity/search" class="filters" aria-label="Find by sender">
<input type="hidden" name="_csrf" value="${csrf}">
${hiddenFilters(fields)}
<div><label for="sender">Sender (exact address)</label><input id="sender" name="sender" type="email" value="${fields.sender}"></div>
<div><button type="submit" class="secondary">Find</button></div>
</form>`;
}

/** With a sender the CSV is posted too, so the address stays out of the URL. */
function csvLink(fields: ActivityFields, csrf: string): SafeHtml {
  if (!fields.sender)
    return html`<p><a href="/activity.csv${activityQuery(fields, { page: '1' })}" download>Download these as CSV</a> (the download is recorded in the audit log)</p>`;
  return html`<form method="post" action="/activity.csv" class="inline"><input type="hidden" name="_csrf" value="${csrf}">${hiddenFilters(fields)}<input type="hidden" name="sender" value="${fields.sender}"><p><button type="submit" class="link">Download these as CSV</button> (the download is recorded in the audit log)</p></form>`;
}

/** Pages of a sender's history: buttons that post the address again, since a link could not carry it. */
function postedPager(fields: ActivityFields, total: number, pageSize: number, csrf: string): SafeHtml | null {
  const pages = Math.ceil(total / pageSize);
  if (pages <= 1) return null;
  const button = (number: number, label: string) => html`<button type="submit" name="page" value="${String(number)}" class="link">${label}</button>`;
  return html`<nav aria-label="Pages"><form method="post" action="/activity/search"><input type="hidden" name="_csrf" value="${csrf}">${hiddenFilters(fields)}<input type="hidden" name="sender" value="${fields.sender}"><p>Page ${fields.page} of ${pages}
${fields.page > 1 ? html` · ${button(fields.page - 1, 'Newer')}` : null}
${fields.page < pages ? html` · ${button(fields.page + 1, 'Older')}` : null}</p></form></nav>`;
}
