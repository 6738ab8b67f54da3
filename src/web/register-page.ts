import type { Incident } from '../store/incident-register.js';
import type { User } from '../store/user-directory.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';

export interface RegisterPageData {
  readonly user: User;
  readonly csrf: string;
  /** `YYYY-MM-DD` or '' as the form holds them; `until` is inclusive. */
  readonly since: string;
  readonly until: string;
  readonly rows: readonly Incident[];
  /** More incidents match than are shown: the CSV has them all. */
  readonly truncated: boolean;
  /** The query string shared by the page and its CSV link (dates only). */
  readonly query: string;
}

/** The near-miss / incident register: ICO types, date, sender, recipient domains, categories and rules. */
export function registerPage(data: RegisterPageData): string {
  const { rows } = data;
  const body = html`<p>Every message the gateway held or returned, with the ICO incident types that apply, oldest first. No subjects or content are kept here.</p>
<form method="get" action="/register" class="filters" aria-label="Dates">
<div><label for="since">From</label><input id="since" name="since" type="date" value="${data.since}"></div>
<div><label for="until">To</label><input id="until" name="until" type="date" value="${data.until}"></div>
<div><button type="submit">Filter</button></div>
</form>
<p><a href="/register.csv${data.query}" download>Download these as CSV</a> (the download is recorded in the audit log)</p>
<h2>${rows.length === 1 ? '1 incident' : `${rows.length} incidents`}${data.truncated ? ' shown' : ''}</h2>
${data.truncated ? html`<p class="notice" role="status">More incidents match than are shown: narrow the dates, or download the CSV, which has them all.</p>` : null}
${
  rows.length === 0
    ? html`<p>No incident in this period.</p>`
    : html`<div class="table-wrap" role="region" aria-label="Near-miss and incident register" tabindex="0"><table>
<caption class="skip">Near-miss and incident register</caption>
<thead><tr><th scope="col">Date (UTC)</th><th scope="col">ICO type</th><th scope="col">Action</th><th scope="col">Sender</th><th scope="col" class="optional">Recipient domains</th><th scope="col">Categories</th><th scope="col" class="optional">Rules</th></tr></thead>
<tbody>
${rows.map(incidentRow)}
</tbody></table></div>`
}`;
  return page('Near-miss register', body, { user: data.user, csrf: data.csrf });
}

function incidentRow(incident: Incident): SafeHtml {
  const [primary, ...others] = incident.types;
  return html`<tr>
<td>${incident.at.toISOString().slice(0, 16).replace('T', ' ')}</td>
<td>${primary ?? '—'}${others.length > 0 ? html`<br><span class="muted">also: ${others.join('; ')}</span>` : null}${incident.dataProtection ? null : html`<br><span class="muted">(conduct, no personal data)</span>`}</td>
<td>${incident.action === 'quarantine' ? 'held' : 'returned'}</td>
<td>${incident.sender}</td>
<td class="optional">${incident.recipientDomains.join(', ')} (${incident.recipientCount} ${incident.recipientCount === 1 ? 'recipient' : 'recipients'})</td>
<td>${Object.entries(incident.categories)
    .map(([category, count]) => `${category} (${count})`)
    .join(', ')}</td>
<td class="optional">${incident.ruleIds.join(', ')}</td>
</tr>`;
}
