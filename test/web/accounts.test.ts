import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { inventedRecord } from '../store/support/invented-records.js';
import { ENGINES } from '../store/support/store-engines.js';
import type { InjectedBrowser } from './support/inject-session.js';
import { isSignedIn } from './support/inject-session.js';
import { ACCOUNTS, createWebSite, PASSWORD, TEST_HASHING, type WebSite } from './support/web-site.js';

// Every sign-in runs scrypt at N=2^17 (a third of a second alone, seconds on a busy machine), and these tests sign several people in.
vi.setConfig({ testTimeout: 120_000 });

const REASON = 'Left the school at half term';

describe.each(ENGINES)('the accounts page on %s', (engine) => {
  let web: WebSite;
  beforeEach(async () => {
    web = await createWebSite(engine);
  });
  afterEach(async () => {
    await web.dispose();
  });

  async function signIn(email: string, password = PASSWORD): Promise<InjectedBrowser> {
    const browser = web.browser();
    expect(isSignedIn(await browser.signIn(email, password))).toBe(true);
    return browser;
  }

  async function change(admin: InjectedBrowser, form: Record<string, string>) {
    return admin.post('/accounts', { _csrf: await admin.tokenFrom('/accounts'), reason: REASON, ...form });
  }

  async function accountAudit() {
    return web.site.exec(
      `SELECT actor, action, school_id, reason FROM audit_log WHERE action LIKE 'account-%' AND seq > ${web.setupAuditSeq} AND action <> 'account-mfa-enrol' ORDER BY seq`,
    );
  }

  it("lists every account's role, schools and state for the admin, and for nobody else", async () => {
    await web.store.users.add({ email: 'dsl@school-a-example.sch.uk', role: 'dsl', passwordHash: await TEST_HASHING.hash(PASSWORD), schools: ['school-a-example'] });
    const admin = await signIn(ACCOUNTS.admin);
    const listed = await admin.get('/accounts');
    expect(listed.statusCode).toBe(200);
    expect(listed.headers['cache-control']).toBe('no-store');
    expect(listed.body).toContain('<a href="/accounts">Accounts</a>');
    expect(listed.body).toMatch(/<td>dsl@school-a-example\.sch\.uk<\/td><td>dsl<\/td><td>school-a-example<\/td><td>Enabled<\/td>/);
    expect(listed.body).toMatch(/<td>dpo@stmarys-example\.sch\.uk<\/td><td>dpo<\/td><td>All schools<\/td><td>Enabled<\/td>/);
    // The admin's own account is listed but not offered in the form.
    expect(listed.body).not.toContain(`<option value="${ACCOUNTS.admin}">`);

    for (const role of ['dpo', 'dsl', 'business-manager'] as const) {
      const other = await signIn(ACCOUNTS[role]);
      expect((await other.get('/quarantine')).body).not.toContain('href="/accounts"');
      expect((await other.get('/accounts')).statusCode).toBe(403);
      expect((await other.post('/accounts', { _csrf: await other.tokenFrom('/rules'), action: 'disable', email: ACCOUNTS.dsl, reason: REASON })).statusCode).toBe(403);
    }
    await web.store.users.add({ email: 'admin@school-a-example.sch.uk', role: 'admin', passwordHash: await TEST_HASHING.hash(PASSWORD), schools: ['school-a-example'] });
    const schoolAdmin = await signIn('admin@school-a-example.sch.uk');
    expect((await schoolAdmin.get('/accounts')).statusCode).toBe(403);
    expect((await web.browser().get('/accounts')).statusCode).toBe(303);
    expect((await web.store.users.find(ACCOUNTS.dsl))?.disabled).toBe(false);
    expect(await accountAudit()).toEqual([]);
  });

  it("disables an account: its open session's next request is refused at once; enabled again, it signs in anew", async () => {
    const dsl = await signIn(ACCOUNTS.dsl);
    expect((await dsl.get('/quarantine')).statusCode).toBe(200);
    const admin = await signIn(ACCOUNTS.admin);

    const disabled = await change(admin, { action: 'disable', email: ACCOUNTS.dsl });
    expect(disabled.statusCode).toBe(303);
    expect(disabled.headers.location).toBe('/accounts?done=disable');
    expect((await admin.get('/accounts?done=disable')).body).toMatch(/role="status">The account is disabled/);
    expect((await admin.get('/accounts')).body).toContain(`<td>${ACCOUNTS.dsl}</td><td>dsl</td><td>All schools</td><td><strong>Disabled</strong></td>`);

    const refused = await dsl.get('/quarantine');
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toBe('/sign-in');
    expect((await web.browser().signIn(ACCOUNTS.dsl, PASSWORD)).statusCode).toBe(401);

    expect((await change(admin, { action: 'enable', email: ACCOUNTS.dsl })).statusCode).toBe(303);
    expect((await dsl.get('/quarantine')).statusCode).toBe(303);
    const again = await signIn(ACCOUNTS.dsl);
    expect((await again.get('/quarantine')).statusCode).toBe(200);

    expect(await accountAudit()).toEqual([
      { actor: ACCOUNTS.admin, action: 'account-disable', school_id: '*', reason: `account ${ACCOUNTS.dsl}: disabled. Reason: ${REASON}` },
      { actor: ACCOUNTS.admin, action: 'account-enable', school_id: '*', reason: `account ${ACCOUNTS.dsl}: enabled. Reason: ${REASON}` },
    ]);
  });

  it('changes a role from the next request on, and removes an account with its session; the audit keeps both', async () => {
    const dsl = await signIn(ACCOUNTS.dsl);
    expect((await dsl.get('/register')).statusCode).toBe(403);
    const admin = await signIn(ACCOUNTS.admin);
    expect((await change(admin, { action: 'set-role', email: ACCOUNTS.dsl, role: 'business-manager' })).statusCode).toBe(303);
    expect((await dsl.get('/register')).statusCode).toBe(200);
    expect((await change(admin, { action: 'set-role', email: ACCOUNTS.dsl, role: 'headteacher' })).statusCode).toBe(400);

    expect((await change(admin, { action: 'remove', email: ACCOUNTS.dsl })).statusCode).toBe(303);
    expect((await dsl.get('/register')).statusCode).toBe(303);
    expect(await web.store.users.find(ACCOUNTS.dsl)).toBeUndefined();
    expect((await admin.get('/accounts')).body).not.toContain(ACCOUNTS.dsl);
    expect((await change(admin, { action: 'disable', email: ACCOUNTS.dsl })).statusCode).toBe(404);
    expect((await accountAudit()).map((row) => [row.action, row.reason])).toEqual([
      ['account-role', `account ${ACCOUNTS.dsl}: role dsl → business-manager. Reason: ${REASON}`],
      ['account-remove', `account ${ACCOUNTS.dsl}: removed. Reason: ${REASON}`],
    ]);
    expect(await web.store.audit.verify()).toMatchObject({ ok: true });
  });

  it('refuses a form without its token, without a reason, for an unknown action, or for the admin themself, changing nothing', async () => {
    const admin = await signIn(ACCOUNTS.admin);
    const form = { action: 'disable', email: ACCOUNTS.dsl, reason: REASON };
    expect((await admin.post('/accounts', form)).statusCode).toBe(403);
    expect((await admin.post('/accounts', { ...form, _csrf: 'forged' })).statusCode).toBe(403);
    expect((await change(admin, { action: 'disable', email: ACCOUNTS.dsl, reason: '  ' })).statusCode).toBe(400);
    expect((await change(admin, { action: 'promote', email: ACCOUNTS.dsl })).statusCode).toBe(400);
    expect((await change(admin, { action: 'disable', email: ACCOUNTS.admin.toUpperCase() })).statusCode).toBe(403);
    expect((await change(admin, { action: 'disable', email: 'nobody@stmarys-example.sch.uk' })).statusCode).toBe(404);
    expect((await web.store.users.list()).filter((user) => user.disabled)).toEqual([]);
    expect(await accountAudit()).toEqual([]);
  });

  it('replaces a password: the old one is refused, the new one works, and sessions opened with the old one end', async () => {
    const before = await signIn(ACCOUNTS.dpo);
    const newPassword = 'a wholly different password';
    expect(await web.store.users.setPassword(ACCOUNTS.dpo, await TEST_HASHING.hash(newPassword), { actor: 'cli:root', reason: 'reset' })).toBe(true);
    expect((await before.get('/quarantine')).statusCode).toBe(303);
    expect((await web.browser().signIn(ACCOUNTS.dpo, PASSWORD)).statusCode).toBe(401);
    const after = await signIn(ACCOUNTS.dpo, newPassword);
    expect((await after.get('/quarantine')).statusCode).toBe(200);
  });

  it("keeps a scope from failing open: an account with no school and no trust grant sees no school's records", async () => {
    await web.store.users.add({ email: 'dsl@school-a-example.sch.uk', role: 'dsl', passwordHash: await TEST_HASHING.hash(PASSWORD), schools: ['school-a-example'] });
    await web.store.quarantine.hold(inventedRecord({ id: 'held-at-school-a', schoolId: 'school-a-example' }));
    const scoped = await signIn('dsl@school-a-example.sch.uk');
    expect((await scoped.get('/quarantine/held-at-school-a')).statusCode).toBe(200);

    await web.site.exec("DELETE FROM user_schools WHERE email = 'dsl@school-a-example.sch.uk'");
    const page = await scoped.get('/quarantine');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('(dsl, no schools)');
    expect(page.body).not.toContain('held-at-school-a');
    expect((await scoped.get('/quarantine/held-at-school-a')).statusCode).toBe(404);
    expect((await web.store.users.find('dsl@school-a-example.sch.uk'))?.schools).toEqual([]);
  });
});
