import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/smtp/password-hash.js';
import { SESSION_LIMITS } from '../../src/store/user-directory.js';
import { createSite, ENGINES, type StoreSite } from './support/store-engines.js';
import { undoAccountSecurity } from './support/undo-migrations.js';

const START = new Date('2026-11-23T09:00:00.000Z');
const later = (ms: number) => new Date(START.getTime() + ms);

describe.each(ENGINES)('users and sessions on %s', (engine) => {
  let site: StoreSite;
  beforeEach(async () => {
    site = await createSite(engine);
  });
  afterEach(async () => {
    await site.dispose();
  });

  it('adds users once, lower-cased, and lists them without their hashes', async () => {
    const store = await site.open();
    const passwordHash = await hashPassword('correct horse battery');
    await store.users.add({ email: 'Dpo.Person@Example-School.sch.uk', role: 'dpo', passwordHash, at: START });
    await store.users.add({ email: 'bursar@example-school.sch.uk', role: 'business-manager', passwordHash });
    await expect(store.users.add({ email: 'dpo.person@example-school.sch.uk', role: 'dsl', passwordHash })).rejects.toMatchObject({ code: 'invalid-record' });
    await expect(store.users.add({ email: 'not-an-address', role: 'dsl', passwordHash })).rejects.toMatchObject({ code: 'invalid-record' });
    await expect(store.users.add({ email: 'x@example.org', role: 'headteacher' as never, passwordHash })).rejects.toMatchObject({ code: 'invalid-record' });

    const users = await store.users.list();
    expect(users.map((user) => [user.email, user.role, user.disabled])).toEqual([
      ['bursar@example-school.sch.uk', 'business-manager', false],
      ['dpo.person@example-school.sch.uk', 'dpo', false],
    ]);
    expect(JSON.stringify(users)).not.toContain('scrypt');
    expect((await store.users.credentials('DPO.person@example-school.sch.uk'))?.passwordHash).toBe(passwordHash);
    expect(await store.users.credentials('nobody@example.org')).toBeUndefined();
  });

  it('keeps only a hash of the session id, and ends sessions when idle, at the absolute limit, on sign-out and when disabled', async () => {
    const store = await site.open();
    await store.users.add({ email: 'dpo@example-school.sch.uk', role: 'dpo', passwordHash: await hashPassword('a long enough password') });

    const session = await store.users.startSession('dpo@example-school.sch.uk', START);
    expect(Buffer.from(session.token, 'base64url')).toHaveLength(32);
    const stored = await site.exec('SELECT id_hash FROM sessions');
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(session.token);
    expect(await store.users.resume('not-the-token', START)).toBeUndefined();

    // Used every 29 minutes it lives to the absolute limit, and no further.
    let at = 0;
    while (at + 29 * 60_000 < SESSION_LIMITS.absoluteMs) {
      at += 29 * 60_000;
      expect(await store.users.resume(session.token, later(at))).toMatchObject({ email: 'dpo@example-school.sch.uk', role: 'dpo' });
    }
    expect(await store.users.resume(session.token, later(SESSION_LIMITS.absoluteMs))).toBeUndefined();
    expect(await site.exec('SELECT id_hash FROM sessions')).toEqual([]);

    const idle = await store.users.startSession('dpo@example-school.sch.uk', START);
    expect(await store.users.resume(idle.token, later(SESSION_LIMITS.idleMs))).toBeUndefined();

    const signedOut = await store.users.startSession('dpo@example-school.sch.uk', START);
    await store.users.endSession(signedOut.token);
    expect(await store.users.resume(signedOut.token, START)).toBeUndefined();

    const disabled = await store.users.startSession('dpo@example-school.sch.uk', START);
    expect(await store.users.disable('dpo@example-school.sch.uk', { actor: 'cli:test', at: START })).toBe(true);
    expect(await store.users.resume(disabled.token, START)).toBeUndefined();
    expect((await store.users.list())[0]?.disabled).toBe(true);
  });

  it('prunes sessions past their absolute end', async () => {
    const store = await site.open();
    await store.users.add({ email: 'dsl@example-school.sch.uk', role: 'dsl', passwordHash: await hashPassword('another long password') });
    await store.users.startSession('dsl@example-school.sch.uk', START);
    const fresh = await store.users.startSession('dsl@example-school.sch.uk', later(SESSION_LIMITS.absoluteMs));
    expect(await store.users.pruneSessions(later(SESSION_LIMITS.absoluteMs))).toBe(1);
    expect(await store.users.resume(fresh.token, later(SESSION_LIMITS.absoluteMs + 1))).toMatchObject({ role: 'dsl' });
  });

  it("keeps each account's school scope: listed, given at sign-in and with every session; the trust only when given", async () => {
    const store = await site.open();
    const passwordHash = await hashPassword('a long enough password');
    await store.users.add({ email: 'dpo@school-b-example.sch.uk', role: 'dpo', passwordHash, schools: ['school-b', 'school-a', 'school-b'] });
    await store.users.add({ email: 'trust.dpo@trust-example.org.uk', role: 'dpo', passwordHash });
    await expect(store.users.add({ email: 'nobody@trust-example.org.uk', role: 'dpo', passwordHash, schools: [] })).rejects.toMatchObject({ code: 'invalid-record' });
    expect(await store.users.credentials('nobody@trust-example.org.uk')).toBeUndefined();

    expect((await store.users.list()).map((user) => [user.email, user.schools])).toEqual([
      ['dpo@school-b-example.sch.uk', ['school-a', 'school-b']],
      ['trust.dpo@trust-example.org.uk', 'all'],
    ]);
    expect((await store.users.credentials('DPO@school-b-example.sch.uk'))?.user.schools).toEqual(['school-a', 'school-b']);
    const session = await store.users.startSession('dpo@school-b-example.sch.uk', START);
    expect((await store.users.resume(session.token, START))?.schools).toEqual(['school-a', 'school-b']);
    const trust = await store.users.startSession('trust.dpo@trust-example.org.uk', START);
    expect((await store.users.resume(trust.token, START))?.schools).toBe('all');
  });

  it('never widens a missing scope to the trust: an account with no school and no trust grant sees nothing', async () => {
    const store = await site.open();
    await store.users.add({ email: 'dsl@school-a-example.sch.uk', role: 'dsl', passwordHash: await hashPassword('a long enough password'), schools: ['school-a'] });
    await site.exec('DELETE FROM user_schools');
    expect((await store.users.list()).map((user) => user.schools)).toEqual([[]]);
    expect((await store.users.credentials('dsl@school-a-example.sch.uk'))?.user.schools).toEqual([]);
    const session = await store.users.startSession('dsl@school-a-example.sch.uk', START);
    expect((await store.users.resume(session.token, START))?.schools).toEqual([]);
  });

  it('disables, enables, replaces the password, changes the role and removes, each audited with who and why', async () => {
    const store = await site.open();
    const email = 'dsl@example-school.sch.uk';
    const change = { actor: 'admin@example-school.sch.uk', reason: 'staff change', at: START };
    await store.users.add({ email, role: 'dsl', passwordHash: await hashPassword('the first long password'), schools: ['school-a'] }, change);

    const before = await store.users.startSession(email, START);
    expect(await store.users.setPassword(email, await hashPassword('the second long password'), change)).toBe(true);
    expect(await store.users.resume(before.token, START)).toBeUndefined();
    const stored = await store.users.credentials(email);
    expect(stored?.passwordHash).not.toContain('second');

    expect(await store.users.setRole(email, 'admin', change)).toBe(true);
    await expect(store.users.setRole(email, 'headteacher' as never, change)).rejects.toMatchObject({ code: 'invalid-record' });
    expect(await store.users.disable(email, change)).toBe(true);
    expect((await store.users.find(email))?.disabled).toBe(true);
    expect(await store.users.enable(email, { actor: 'cli:root', at: START })).toBe(true);
    expect(await store.users.find(email)).toMatchObject({ role: 'admin', disabled: false, schools: ['school-a'] });

    const session = await store.users.startSession(email, START);
    expect(await store.users.remove(email, change)).toBe(true);
    expect(await store.users.find(email)).toBeUndefined();
    expect(await store.users.resume(session.token, START)).toBeUndefined();
    expect(await site.exec('SELECT email FROM user_schools')).toEqual([]);
    expect(await site.exec('SELECT email FROM sessions')).toEqual([]);

    for (const unknown of [
      store.users.disable('nobody@example.org', change),
      store.users.enable('nobody@example.org', change),
      store.users.setRole('nobody@example.org', 'dpo', change),
      store.users.setPassword('nobody@example.org', 'x', change),
      store.users.remove('nobody@example.org', change),
    ]) {
      expect(await unknown).toBe(false);
    }
    const audit = await site.exec("SELECT school_id, actor, action, reason FROM audit_log WHERE kind = 'human' ORDER BY seq");
    expect(audit).toEqual([
      { school_id: '*', actor: change.actor, action: 'account-add', reason: `account ${email}: dsl, school-a. Reason: staff change` },
      { school_id: '*', actor: change.actor, action: 'account-password', reason: `account ${email}: password replaced, sessions ended. Reason: staff change` },
      { school_id: '*', actor: change.actor, action: 'account-role', reason: `account ${email}: role dsl → admin, sessions ended until MFA is enrolled. Reason: staff change` },
      { school_id: '*', actor: change.actor, action: 'account-disable', reason: `account ${email}: disabled. Reason: staff change` },
      { school_id: '*', actor: 'cli:root', action: 'account-enable', reason: `account ${email}: enabled` },
      { school_id: '*', actor: change.actor, action: 'account-remove', reason: `account ${email}: removed. Reason: staff change` },
    ]);
    expect(JSON.stringify(audit)).not.toMatch(/scrypt|long password/);
    expect(await store.audit.verify()).toMatchObject({ ok: true });
  });

  it('keeps what accounts made before the trust grant saw: no school rows became the whole trust, rows stay as they were', async () => {
    const first = await site.open();
    await first.close();
    // Back to the schema before the grant existed, with one account of each kind as that version stored them.
    await undoAccountSecurity(site);
    await site.exec("DELETE FROM kysely_migration WHERE name >= '0005-users-all-schools'");
    await site.exec('ALTER TABLE users DROP COLUMN all_schools');
    // The later migrations are undone too, so that they run again after 0005 as they would on that database.
    for (const column of ['release_requested_at', 'release_requested_by', 'release_encrypt']) await site.exec(`ALTER TABLE quarantine DROP COLUMN ${column}`);
    for (const email of ['trust.dpo@trust-example.org.uk', 'dsl@school-a-example.sch.uk']) {
      await site.exec("INSERT INTO users (email, role, password_hash, created_at, disabled_at) VALUES (?, 'dpo', 'scrypt$x', '2026-01-01T00:00:00.000Z', NULL)", [email]);
    }
    await site.exec("INSERT INTO user_schools (email, school_id) VALUES ('dsl@school-a-example.sch.uk', 'school-a')");

    const store = await site.open();
    expect((await store.users.list()).map((user) => [user.email, user.schools])).toEqual([
      ['dsl@school-a-example.sch.uk', ['school-a']],
      ['trust.dpo@trust-example.org.uk', 'all'],
    ]);
    await store.users.add({ email: 'new.dsl@school-a-example.sch.uk', role: 'dsl', passwordHash: 'scrypt$x', schools: ['school-a'] });
    await site.exec("DELETE FROM user_schools WHERE email = 'new.dsl@school-a-example.sch.uk'");
    expect((await store.users.find('new.dsl@school-a-example.sch.uk'))?.schools).toEqual([]);
  });
});
