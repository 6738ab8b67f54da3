import { FINDING_CATEGORIES } from '../detect/finding.js';
import { QUARANTINE_STATUSES, type QuarantineSummary } from '../store/quarantine-store.js';
import type { User } from '../store/user-directory.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { pager } from './pager.js';
import { publicQuery, type FilterFields } from './quarantine-filter.js';
import { can } from './roles.js';

export interface ListPageData {
  readonly user: User;
  readonly csrf: string;
  readonly fields: FilterFields;
  readonly rows: readonly QuarantineSummary[];
  readonly total: number;
  readonly pageSize: number;
  /** A line to confirm what the last action did. */
  readonly notice?: string;
  /** Ids of the rows whose sender asked for release from their notice: flagged for the reviewer. */
  readonly senderRequests?: ReadonlySet<string>;
}

export function quarantineListPage(data: ListPageData): string {
  const { user, csrf, fields, rows, total } = data;
  const decides = can(user.role, 'decide');
  // An address search is POSTed, to keep addresses out of URLs, so a page link could not carry it.
  const searched = fields.sender !== '' || fields.search !== '';
  // A trust's reviewer sees several schools' mail: then each row says whose it is.
  const schools = new Set(rows.map((row) => row.schoolId)).size > 1;
  const table = html`<div class="table-wrap" role="region" aria-label="Quarantined messages" tabindex="0"><table>
<caption class="skip">Quarantined messages</caption>
<thead><tr>${decides ? html`<th scope="col"><span class="skip">Select</span></th>` : null}<th scope="col">Received (UTC)</th><th scope="col">Sender</th>${schools ? html`<th scope="col" class="optional">School</th>` : null}<th scope="col" class="optional">Recipients</th><th scope="col">Categories</th><th scope="col" class="optional">Rules</th><th scope="col">Status</th></tr></thead>
<tbody>
${rows.map((row) => listRow(row, user, decides, schools, data.senderRequests?.has(row.id) ?? false))}
</tbody></table></div>`;
  const body = html`${data.notice ? html`<p class="notice" role="status">${data.notice}</p>` : null}
${filterForm(fields)}
${searchForm(fields, csrf)}
<h2>${total === 1 ? '1 message' : `${total} messages`}</h2>
${
  rows.length === 0
    ? html`<p>No message matches.</p>`
    : decides
      ? html`<form method="post" action="/quarantine/bulk">
<input type="hidden" name="_csrf" value="${csrf}">
${table}
<fieldset class="filters"><legend>With the selected messages</legend>
<div><label for="bulk-action">Action</label><select id="bulk-action" name="action"><option value="release">Release</option><option value="release-encrypted">Release encrypted</option><option value="reject">Return to sender (reject)</option>${can(user.role, 'delete') ? html`<option value="delete">Delete (destroyed, sender not told)</option>` : null}</select></div>
<div><label for="bulk-reason">Reason (recorded in the audit log)</label><input id="bulk-reason" name="reason" type="text" required maxlength="500"></div>
<div><button type="submit">Apply to selected</button></div>
</fieldset>
</form>`
      : table
}
${searched ? null : pager(fields.page, total, data.pageSize, (number) => `/quarantine${publicQuery(fields, number)}`, { back: 'Newer', on: 'Older' })}`;
  return page('Quarantine', body, { user, csrf });
}

function listRow(row: QuarantineSummary, user: User, decides: boolean, schools: boolean, senderAsks: boolean): SafeHtml {
  const opens = can(user.role, 'read') && !row.bodyDestroyed;
  const when = row.receivedAt.toISOString().slice(0, 16).replace('T', ' ');
  return html`<tr>
${decides ? html`<td>${row.status === 'held' ? html`<input type="checkbox" name="id" value="${row.id}" id="select-${row.id}" aria-label="Select the message received ${when}">` : null}</td>` : null}
<td>${opens ? html`<a href="/quarantine/${encodeURIComponent(row.id)}">${when}</a>` : when}</td>
<td>${row.from}</td>
${schools ? html`<td class="optional">${row.schoolId}</td>` : null}
<td class="optional">${row.rcpt.join(', ')}</td>
<td>${row.categories.join(', ')}</td>
<td class="optional">${row.ruleIds.join(', ')}</td>
<td>${row.status}${row.bodyDestroyed ? ' (body destroyed)' : ''}${senderAsks && row.status === 'held' ? html` <strong class="flag">sender asks for release</strong>` : null}</td>
</tr>`;
}

function filterForm(fields: FilterFields): SafeHtml {
  const options = (values: readonly string[], chosen: string) => [
    html`<option value="">Any</option>`,
    ...values.map((value) => html`<option value="${value}"${value === chosen ? html` selected` : null}>${value}</option>`),
  ];
  return html`<form method="get" action="/quarantine" class="filters" aria-label="Filters">
<div><label for="status">Status</label><select id="status" name="status">${options(QUARANTINE_STATUSES, fields.status)}</select></div>
<div><label for="category">Category</label><select id="category" name="category">${options(FINDING_CATEGORIES, fields.category)}</select></div>
<div><label for="rule">Rule id</label><input id="rule" name="rule" type="text" value="${fields.rule}"></div>
<div><label for="since">Received from</label><input id="since" name="since" type="date" value="${fields.since}"></div>
<div><label for="until">Received to</label><input id="until" name="until" type="date" value="${fields.until}"></div>
<div><button type="submit">Filter</button></div>
</form>`;
}

/** Addresses are personal data, so this form posts: they never reach a URL, a history or a proxy log. */
function searchForm(fields: FilterFields, csrf: string): SafeHtml {
  return html`<form method="post" action="/quarantine/search" class="filters" aria-label="Find by address">
<input type="hidden" name="_csrf" value="${csrf}">
${(['status', 'category', 'rule', 'since', 'until'] as const).map((name) => (fields[name] ? html`<input type="hidden" name="${name}" value="${fields[name]}">` : null))}
<div><label for="sender">Sender (exact address)</label><input id="sender" name="sender" type="email" value="${fields.sender}"></div>
<div><label for="search">Search sender and recipient addresses</label><input id="search" name="search" type="text" value="${fields.search}"></div>
<div><button type="submit" class="secondary">Find</button></div>
</form>`;
}
