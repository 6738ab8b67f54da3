import type { OverrideRevocation, ReturnedSummary, SenderReleaseRequest } from '../store/returned-store.js';
import type { User } from '../store/user-directory.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';

export interface OverridesPageData {
  readonly user: User;
  readonly csrf: string;
  readonly overrides: readonly ReturnedSummary[];
  readonly requests: readonly SenderReleaseRequest[];
  readonly revocations: readonly OverrideRevocation[];
  readonly notice?: string;
}

const TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', dateStyle: 'medium', timeStyle: 'short' });

/** What senders did themselves: messages sent past a rule with their reason, requests for release, and the overrides taken away. */
export function overridesPage(data: OverridesPageData): string {
  const body = html`${data.notice ? html`<p class="notice" role="status">${data.notice}</p>` : null}
<p>Metadata and the senders' own reasons only: no message content.</p>
<h2>Sent as it was, by the sender</h2>
${
  data.overrides.length === 0
    ? html`<p>No overrides yet.</p>`
    : html`<div class="table-wrap" role="region" aria-label="Overrides" tabindex="0"><table><caption class="skip">Overrides</caption>
<thead><tr><th scope="col">When</th><th scope="col">School</th><th scope="col">Sender</th><th scope="col">Rules set aside</th><th scope="col">Reason</th><th scope="col">Take the override away</th></tr></thead>
<tbody>${data.overrides.map((row, index) => overrideRow(row, index, data.csrf))}</tbody></table></div>`
}
<h2>Senders asking for release</h2>
${
  data.requests.length === 0
    ? html`<p>No requests.</p>`
    : html`<div class="table-wrap" role="region" aria-label="Release requests" tabindex="0"><table><caption class="skip">Release requests</caption>
<thead><tr><th scope="col">When</th><th scope="col">School</th><th scope="col">Sender</th><th scope="col">Reason</th><th scope="col">Message</th></tr></thead>
<tbody>${data.requests.map(
        (row) =>
          html`<tr><td>${TIME.format(row.requestedAt)}</td><td>${row.schoolId}</td><td>${row.sender}</td><td>${row.reason}</td><td><a href="/quarantine/${row.messageId}">${row.status === 'held' ? 'Review the held message' : `Already ${row.status}`}</a></td></tr>`,
      )}</tbody></table></div>`
}
<h2>Overrides taken away</h2>
${
  data.revocations.length === 0
    ? html`<p>None: every sender may override the rules that allow it.</p>`
    : html`<div class="table-wrap" role="region" aria-label="Overrides taken away" tabindex="0"><table><caption class="skip">Overrides taken away</caption>
<thead><tr><th scope="col">School</th><th scope="col">Sender</th><th scope="col">Rule</th><th scope="col">By, when, why</th><th scope="col">Give it back</th></tr></thead>
<tbody>${data.revocations.map((row) => revocationRow(row, data.csrf))}</tbody></table></div>`
}`;
  return page('Overrides', body, { user: data.user, csrf: data.csrf });
}

function overrideRow(row: ReturnedSummary, index: number, csrf: string): SafeHtml {
  const id = `revoke-${index}`;
  return html`<tr><td>${row.overriddenAt ? TIME.format(row.overriddenAt) : ''}</td><td>${row.schoolId}</td><td>${row.from}</td><td>${row.returnedBy.join(', ')}</td><td>${row.justification ?? ''}</td>
<td><form method="post" action="/overrides/revoke"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="school" value="${row.schoolId}"><input type="hidden" name="sender" value="${row.from}">
<label for="${id}-rule">Rule</label> <select id="${id}-rule" name="rule">${row.returnedBy.map((rule) => html`<option>${rule}</option>`)}</select>
<label for="${id}-reason">Reason</label> <input type="text" id="${id}-reason" name="reason" maxlength="500" required>
<button type="submit">Revoke for this sender</button></form></td></tr>`;
}

function revocationRow(row: OverrideRevocation, csrf: string): SafeHtml {
  return html`<tr><td>${row.schoolId}</td><td>${row.sender}</td><td>${row.ruleId}</td><td>${row.revokedBy}, ${TIME.format(row.revokedAt)}: ${row.reason}</td>
<td><form method="post" action="/overrides/restore"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="school" value="${row.schoolId}"><input type="hidden" name="sender" value="${row.sender}"><input type="hidden" name="rule" value="${row.ruleId}">
<button type="submit">Give back</button></form></td></tr>`;
}
