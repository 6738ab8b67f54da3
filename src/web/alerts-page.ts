import { ALERT_ROLES, type AlertRole } from '../store/user-directory.js';
import { justificationCategory, type OverrideReasonCategory } from '../policy/justifications.js';
import { ACTION_TAKEN, ROLE_TITLES } from '../queue/wording.js';
import { ALERT_STATUSES, type AlertedRule, type InboxAlert } from '../store/alert-inbox.js';
import type { User } from '../store/user-directory.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { pager } from './pager.js';
import { can } from './roles.js';

/** The inbox's filters as the query holds them: '' for "any". */
export interface AlertFields {
  readonly status: string;
  /** Only offered to the DPO and the admin, who see every role's alerts. */
  readonly role: string;
  readonly page: number;
}

export interface AlertsPageData {
  readonly user: User;
  readonly csrf: string;
  readonly fields: AlertFields;
  /** The roles whose alerts this user sees: their own, or every role for the DPO and the admin (who get a role filter and column). */
  readonly roles: readonly AlertRole[];
  readonly rows: readonly InboxAlert[];
  readonly total: number;
  readonly pageSize: number;
  /** A line to confirm what the last action did. */
  readonly notice?: string;
}

/** The alerts inbox: open alerts first, each with its rules, categories, action, sender and recipient domains; no content. */
export function alertsPage(data: AlertsPageData): string {
  const { user, csrf, fields, rows, total } = data;
  const everyRole = data.roles.length > 1;
  const forWhom = everyRole ? null : html` for the ${data.roles.map((role) => ROLE_TITLES[role])}`;
  const opens = rows.some((row) => row.status === 'open');
  const table = html`<div class="table-wrap" role="region" aria-label="Alerts" tabindex="0"><table>
<caption class="skip">Alerts${forWhom}</caption>
<thead><tr>${opens ? html`<th scope="col"><span class="skip">Select</span></th>` : null}<th scope="col">Received (UTC)</th><th scope="col">Rules and what they found</th><th scope="col">The message</th><th scope="col">Status</th></tr></thead>
<tbody>
${rows.map((row) => alertRow(row, user, { opens, everyRole }))}
</tbody></table></div>`;
  const body = html`${data.notice ? html`<p class="notice" role="status">${data.notice}</p>` : null}
<p>The alerts the school's rules raise${forWhom}, whether or not an email went with them. They name the rules, the sender and the recipients' domains, never the message itself. Acknowledge an alert once it is dealt with; that is recorded in the audit log.</p>
${filterForm(fields, everyRole)}
<h2>${total === 1 ? '1 alert' : `${total} alerts`}</h2>
${
  rows.length === 0
    ? html`<p>No alert matches.</p>`
    : opens
      ? html`<form method="post" action="/alerts/acknowledge">
<input type="hidden" name="_csrf" value="${csrf}">
<fieldset class="filters"><legend>Acknowledge the selected alerts, or one with its own button</legend>
<div><label for="note">Note (optional, recorded in the audit log)</label><input id="note" name="note" type="text" maxlength="500"></div>
<div><button type="submit">Acknowledge selected</button></div>
</fieldset>
${table}
</form>`
      : table
}
${pager(fields.page, total, data.pageSize, (number) => `/alerts${alertsQuery(fields, number)}`, { back: 'Previous', on: 'Next' })}`;
  return page('Alerts', body, { user, csrf });
}

function alertRow(row: InboxAlert, user: User, columns: { readonly opens: boolean; readonly everyRole: boolean }): SafeHtml {
  const when = row.at.toISOString().slice(0, 16).replace('T', ' ');
  const readable = row.action === 'quarantine' && can(user.role, 'read');
  // The row's id is the alert's, so `/alerts#<id>` points at it.
  return html`<tr id="${row.id}">
${columns.opens ? html`<td>${row.status === 'open' ? html`<input type="checkbox" name="id" value="${row.id}" id="select-${row.id}" aria-label="Select the alert of ${when}">` : null}</td>` : null}
<td>${when}<br><span class="muted">${columns.everyRole ? html`For the ${ROLE_TITLES[row.role]}<br>` : null}School: ${row.schoolId}</span></td>
<td>${row.rules.map((rule) => ruleItem(rule, row.action !== 'override'))}</td>
<td>From ${row.sender || '(none)'} to ${row.recipientDomains.join(', ') || '(none)'} (${row.recipientCount} ${row.recipientCount === 1 ? 'recipient' : 'recipients'})<br>${ACTION_TAKEN[row.action]}${row.justificationCategory ? html`<br>Reason given: ${justificationCategory(row.justificationCategory as OverrideReasonCategory)}` : null}${readable ? html`<br><a href="/quarantine/${encodeURIComponent(row.messageId)}">Open the held message</a>` : null}</td>
<td>${status(row)}<br><span class="muted">${delivery(row)}</span></td>
</tr>`;
}

/** A rule of the alert; `withFindings` false for an override's, which records the rules set aside, not what they found. */
function ruleItem(rule: AlertedRule, withFindings: boolean): SafeHtml {
  const found = Object.entries(rule.categories);
  return html`<p><strong>${rule.id}</strong>: ${rule.description}<br><span class="muted">${rule.clause}</span>${
    withFindings ? html`<br>Found: ${found.length === 0 ? 'the recipients alone' : found.map(([category, count]) => `${category} ×${count}`).join(', ')}` : null
  }</p>`;
}

/** How the role was told: the difference matters, since an unaddressed role hears only through this inbox. */
function delivery(row: InboxAlert): string {
  if (row.level === 'digest') return 'In the daily digest; no alert email';
  return row.emailed ? 'Alert emailed' : 'Not emailed: no address is configured for this role';
}

function status(row: InboxAlert): SafeHtml {
  if (row.status === 'open')
    return html`<strong>Open</strong><br><button type="submit" class="secondary" formaction="/alerts/${encodeURIComponent(row.id)}/acknowledge">Acknowledge<span class="skip"> the alert of ${row.at.toISOString().slice(0, 16).replace('T', ' ')}</span></button>`;
  const when = row.acknowledgedAt?.toISOString().slice(0, 16).replace('T', ' ') ?? '';
  return html`Acknowledged by ${row.acknowledgedBy ?? 'someone'} at ${when}${row.note ? html`<br><span class="muted">${row.note}</span>` : null}`;
}

function filterForm(fields: AlertFields, everyRole: boolean): SafeHtml {
  const option = (value: string, label: string, chosen: string) => html`<option value="${value}"${value === chosen ? html` selected` : null}>${label}</option>`;
  return html`<form method="get" action="/alerts" class="filters" aria-label="Filters">
<div><label for="status">Status</label><select id="status" name="status">${option('', 'Any (open first)', fields.status)}${ALERT_STATUSES.map((value) => option(value, value === 'open' ? 'Open' : 'Acknowledged', fields.status))}</select></div>
${everyRole ? html`<div><label for="role">For</label><select id="role" name="role">${option('', 'Every role', fields.role)}${ALERT_ROLES.map((role) => option(role, ROLE_TITLES[role], fields.role))}</select></div>` : null}
<div><button type="submit">Filter</button></div>
</form>`;
}

function alertsQuery(fields: AlertFields, page = fields.page): string {
  const params = new URLSearchParams();
  if (fields.status) params.set('status', fields.status);
  if (fields.role) params.set('role', fields.role);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `?${text}` : '';
}
