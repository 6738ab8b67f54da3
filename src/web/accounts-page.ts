import { USER_ROLES, type User } from '../store/user-directory.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';

export const ACCOUNT_CHANGES = ['disable', 'enable', 'set-role', 'reset-mfa', 'remove'] as const;
export type AccountChangeKind = (typeof ACCOUNT_CHANGES)[number];

export interface AccountsPageData {
  readonly user: User;
  readonly csrf: string;
  readonly accounts: readonly User[];
  /** The change just made (post, then redirect), to confirm it. */
  readonly done?: AccountChangeKind;
}

const DONE: Readonly<Record<AccountChangeKind, string>> = {
  disable: 'The account is disabled: its sessions ended at once and it can no longer sign in.',
  enable: 'The account is enabled: it can sign in again.',
  'set-role': 'The role is changed, from the account’s next request on.',
  'reset-mfa': 'The account’s authenticator and recovery codes are removed and its sessions ended: at its next sign-in, with its password, it sets up an authenticator anew.',
  remove: 'The account is removed with its sessions and schools; the audit log keeps what it did.',
};

/** Every account: login, role, schools, enabled or not; and one form to change one of them, with a reason. */
export function accountsPage(data: AccountsPageData): string {
  const { user, csrf, accounts } = data;
  const others = accounts.filter((account) => account.email !== user.email);
  const body = html`${data.done ? html`<p class="notice" role="status">${DONE[data.done]} It is recorded in the audit log.</p>` : null}
<p>Everyone who may sign in to the review app. Each change below is recorded in the audit log with your address and your reason. To add an account or set a password, use <code>hallmonitor users</code> on the server.</p>
<div class="table-wrap" role="region" aria-label="Accounts" tabindex="0"><table>
<caption class="skip">Accounts</caption>
<thead><tr><th scope="col">Account</th><th scope="col">Role</th><th scope="col">Schools</th><th scope="col">State</th><th scope="col">Authenticator</th></tr></thead>
<tbody>
${accounts.map((account) => html`<tr><td>${account.email}</td><td>${account.role}</td><td>${schoolsText(account)}</td><td>${account.disabled ? html`<strong>Disabled</strong>` : 'Enabled'}</td><td>${account.mfa ? 'Set up' : 'None'}</td></tr>`)}
</tbody></table></div>
<h2>Change an account</h2>
${others.length === 0 ? html`<p>There is no other account to change. Your own account is changed on the server, with <code>hallmonitor users</code>.</p>` : changeForm(others, csrf)}`;
  return page('Accounts', body, { user, csrf });
}

function changeForm(accounts: readonly User[], csrf: string): SafeHtml {
  return html`<form method="post" action="/accounts" class="filters" aria-label="Change an account">
<input type="hidden" name="_csrf" value="${csrf}">
<div><label for="account">Account</label><select id="account" name="email" required>${accounts.map((account) => html`<option value="${account.email}">${account.email}</option>`)}</select></div>
<div><label for="role">New role (for Set role)</label><select id="role" name="role">${USER_ROLES.map((role) => html`<option value="${role}">${role}</option>`)}</select></div>
<div><label for="reason">Reason (recorded in the audit log)</label><input id="reason" name="reason" type="text" required maxlength="500"></div>
<div><button type="submit" name="action" value="disable">Disable</button> <button type="submit" name="action" value="enable" class="secondary">Enable</button> <button type="submit" name="action" value="set-role" class="secondary">Set role</button> <button type="submit" name="action" value="reset-mfa" class="secondary">Reset MFA</button> <button type="submit" name="action" value="remove" class="danger">Remove</button></div>
</form>
<p class="muted">Disabling ends the account’s sessions at once. Reset MFA is for a lost or replaced phone: it removes the account’s authenticator and recovery codes and ends its sessions, and whoever next signs in with its password sets up a new one, so check who has the password first (or have it replaced on the server). Your own account is not listed here.</p>`;
}

function schoolsText(account: User): string {
  if (account.schools === 'all') return 'All schools';
  return account.schools.length > 0 ? account.schools.join(', ') : 'None (sees nothing)';
}
