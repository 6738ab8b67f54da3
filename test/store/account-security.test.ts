import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECOVERY_CODE_COUNT } from '../../src/store/user-directory.js';
import { newTotpSecret } from '../../src/web/totp.js';
import { createSite, ENGINES, type StoreSite } from './support/store-engines.js';
import { undoAccountSecurity } from './support/undo-migrations.js';

const AT = new Date('2026-11-23T09:00:00.000Z');
const DPO = 'dpo@example-school.sch.uk';
const BURSAR = 'bursar@example-school.sch.uk';
const TENANT = '0f6c1e2a-5b7d-4c8e-9a1b-2c3d4e5f6a7b';
const OBJECT = '5d3f1b2c-8a9e-4c7d-b6a5-1e2f3a4b5c6d';
/** Not a password: these tests never sign in, so no scrypt is spent on them. */
const HASH = 'scrypt$x';

describe.each(ENGINES)('MFA, password upgrades and the Entra ID binding on %s', (engine) => {
  let site: StoreSite;
  beforeEach(async () => {
    site = await createSite(engine);
  });
  afterEach(async () => {
    await site.dispose();
  });

  async function accountAudit() {
    return site.exec("SELECT actor, action, reason FROM audit_log WHERE action LIKE 'account-%' ORDER BY seq");
  }

  it('keeps the TOTP secret sealed with the store key, bound to its account, and the same one across reloads of the enrolment', async () => {
    const store = await site.open();
    await store.users.add({ email: DPO, role: 'dpo', passwordHash: HASH });
    await store.users.add({ email: BURSAR, role: 'business-manager', passwordHash: HASH });
    const secret = await store.users.enrolmentSecret(DPO, newTotpSecret);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await store.users.enrolmentSecret(DPO, newTotpSecret)).toBe(secret);
    const [row] = await site.exec('SELECT mfa_secret FROM users WHERE email = ?', [DPO]);
    const sealed = Buffer.from(row!.mfa_secret as Uint8Array);
    expect(sealed.toString('latin1')).not.toContain(secret);
    expect(sealed.length).toBeGreaterThan(29 + secret.length - 1);
    // Copied onto another account's row, it does not open there.
    await site.exec('UPDATE users SET mfa_secret = ? WHERE email = ?', [sealed, BURSAR]);
    await expect(store.users.totpState(BURSAR)).rejects.toMatchObject({ code: 'key-mismatch' });
    expect(await store.users.totpState(DPO)).toEqual({ secret, enrolled: false, lastStep: undefined });
  });

  it('enrols once, with recovery codes kept only as hashes, each good once; refuses a time step used already or earlier; all audited', async () => {
    const store = await site.open();
    await store.users.add({ email: DPO, role: 'dpo', passwordHash: HASH });
    await store.users.enrolmentSecret(DPO, newTotpSecret);
    expect(await store.users.acceptTotpStep(DPO, 100)).toBe(false);

    const codes = await store.users.finishEnrolment(DPO, 1000, AT);
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes!) expect(code).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(await store.users.finishEnrolment(DPO, 1001, AT)).toBeUndefined();
    await expect(store.users.enrolmentSecret(DPO, newTotpSecret)).rejects.toMatchObject({ code: 'invalid-record' });
    const stored = JSON.stringify(await site.exec('SELECT * FROM recovery_codes'));
    for (const code of codes!) expect(stored).not.toContain(code);
    expect((await store.users.find(DPO))?.mfa).toBe(true);

    // The step enrolment used, and any before it, are spent; a later one works once.
    expect(await store.users.acceptTotpStep(DPO, 1000)).toBe(false);
    expect(await store.users.acceptTotpStep(DPO, 999)).toBe(false);
    expect(await store.users.acceptTotpStep(DPO, 1001)).toBe(true);
    expect(await store.users.acceptTotpStep(DPO, 1001)).toBe(false);
    // Two processes racing with the same code: exactly one wins.
    const raced = await Promise.all([store.users.acceptTotpStep(DPO, 1002), store.users.acceptTotpStep(DPO, 1002)]);
    expect(raced.filter(Boolean)).toHaveLength(1);

    const [first, second] = codes!;
    expect(await store.users.useRecoveryCode(DPO, first!.toUpperCase().replace(/-/g, ' '), AT)).toBe(true);
    expect(await store.users.useRecoveryCode(DPO, first!, AT)).toBe(false);
    expect(await store.users.useRecoveryCode(BURSAR, second!, AT)).toBe(false);
    expect(await store.users.useRecoveryCode(DPO, 'aaaa-bbbb-cccc-dddd', AT)).toBe(false);
    expect(await accountAudit()).toEqual([
      { actor: DPO, action: 'account-mfa-enrol', reason: `account ${DPO}: authenticator enrolled, 10 recovery codes issued` },
      { actor: DPO, action: 'account-mfa-recovery-code', reason: `account ${DPO}: signed in with a recovery code, 9 left` },
    ]);
  });

  it('resets MFA from the command line side: authenticator and codes gone, sessions ended, enrolment anew; audited with who and why', async () => {
    const store = await site.open();
    await store.users.add({ email: DPO, role: 'dpo', passwordHash: HASH });
    const secret = await store.users.enrolmentSecret(DPO, newTotpSecret);
    const codes = await store.users.finishEnrolment(DPO, 5, AT);
    const session = await store.users.startSession(DPO, AT);
    expect(await store.users.resetMfa(DPO, { actor: 'cli:it-admin', reason: 'lost phone', at: AT })).toBe(true);
    expect(await store.users.resetMfa('nobody@example.org', { actor: 'cli:it-admin' })).toBe(false);
    expect(await store.users.resume(session.token, AT)).toBeUndefined();
    expect(await store.users.totpState(DPO)).toBeUndefined();
    expect((await store.users.find(DPO))?.mfa).toBe(false);
    expect(await store.users.useRecoveryCode(DPO, codes![0]!, AT)).toBe(false);
    expect(await site.exec('SELECT * FROM recovery_codes')).toEqual([]);
    expect(await store.users.enrolmentSecret(DPO, newTotpSecret)).not.toBe(secret);
    expect((await accountAudit()).at(-1)).toEqual({ actor: 'cli:it-admin', action: 'account-mfa-reset', reason: `account ${DPO}: MFA reset, sessions ended. Reason: lost phone` });
  });

  it('keeps how far a session got through sign-in, and gives a complete one a new id', async () => {
    const store = await site.open();
    await store.users.add({ email: DPO, role: 'dpo', passwordHash: HASH });
    const partial = await store.users.startSession(DPO, AT, 'second-factor');
    expect(await store.users.resume(partial.token, AT)).toMatchObject({ email: DPO, stage: 'second-factor' });
    const complete = await store.users.completeSession(partial.token, AT);
    expect(complete?.token).not.toBe(partial.token);
    expect(await store.users.resume(partial.token, AT)).toBeUndefined();
    expect(await store.users.resume(complete!.token, AT)).toMatchObject({ email: DPO, stage: 'complete' });
    expect(await store.users.completeSession(partial.token, AT)).toBeUndefined();
  });

  it('ends the sessions of an account moved into a role that needs MFA before it has enrolled', async () => {
    const store = await site.open();
    await store.users.add({ email: BURSAR, role: 'business-manager', passwordHash: HASH });
    const session = await store.users.startSession(BURSAR, AT);
    await store.users.setRole(BURSAR, 'dpo', { actor: 'cli:it-admin', at: AT });
    expect(await store.users.resume(session.token, AT)).toBeUndefined();
  });

  it('upgrades a password hash only while it is still the one signed in with, audited as the account', async () => {
    const store = await site.open();
    await store.users.add({ email: DPO, role: 'dpo', passwordHash: 'scrypt$16384$old' });
    expect(await store.users.upgradePasswordHash(DPO, 'scrypt$16384$stale', 'scrypt$131072$new', AT)).toBe(false);
    expect(await store.users.upgradePasswordHash(DPO, 'scrypt$16384$old', 'scrypt$131072$new', AT)).toBe(true);
    expect((await store.users.credentials(DPO))?.passwordHash).toBe('scrypt$131072$new');
    expect(await accountAudit()).toEqual([{ actor: DPO, action: 'account-password-upgrade', reason: `account ${DPO}: password hash upgraded to today's cost` }]);
    expect(JSON.stringify(await accountAudit())).not.toContain('scrypt');
  });

  it('binds an account to one Entra ID object once, never two accounts to one object; guests per account; audited', async () => {
    const store = await site.open();
    await store.users.add({ email: DPO, role: 'dpo', passwordHash: HASH });
    await store.users.add({ email: BURSAR, role: 'business-manager', passwordHash: HASH, entraGuest: true });
    expect(await store.users.findByEntraObject(TENANT, OBJECT)).toBeUndefined();
    expect(await store.users.bindEntraObject(DPO, TENANT.toUpperCase(), OBJECT, AT)).toBe(true);
    expect(await store.users.bindEntraObject(DPO, TENANT, '11111111-2222-4333-8444-555555555555', AT)).toBe(false);
    expect(await store.users.bindEntraObject(BURSAR, TENANT, OBJECT, AT)).toBe(false);
    expect(await store.users.findByEntraObject(TENANT, OBJECT.toUpperCase())).toMatchObject({ email: DPO, entraBound: true, entraGuest: false });
    expect(await store.users.find(BURSAR)).toMatchObject({ entraBound: false, entraGuest: true });
    expect(await store.users.setEntraGuest(DPO, true, { actor: 'cli:it-admin', at: AT })).toBe(true);
    expect((await store.users.find(DPO))?.entraGuest).toBe(true);
    expect(await accountAudit()).toEqual([
      { actor: DPO, action: 'account-entra-bind', reason: `account ${DPO}: bound to Entra ID object ${OBJECT} of tenant ${TENANT}` },
      { actor: 'cli:it-admin', action: 'account-entra-guest', reason: `account ${DPO}: Entra ID guests allowed` },
    ]);
  });

  it('migrates: existing accounts have no MFA and no binding; the sessions of the roles that now need MFA end, others stay', async () => {
    const first = await site.open();
    await first.close();
    await undoAccountSecurity(site);
    const now = AT.toISOString();
    const later = new Date(AT.getTime() + 3_600_000).toISOString();
    for (const [email, role] of [
      [DPO, 'dpo'],
      [BURSAR, 'business-manager'],
    ]) {
      await site.exec("INSERT INTO users (email, role, password_hash, created_at, disabled_at, all_schools) VALUES (?, ?, 'scrypt$x', ?, NULL, 1)", [email, role, now]);
      await site.exec('INSERT INTO sessions (id_hash, email, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)', [`hash-of-${role}`, email, now, later, now]);
    }
    const store = await site.open();
    expect((await store.users.list()).map((user) => [user.email, user.mfa, user.entraBound, user.entraGuest])).toEqual([
      [BURSAR, false, false, false],
      [DPO, false, false, false],
    ]);
    expect(await site.exec('SELECT email, stage FROM sessions')).toEqual([{ email: BURSAR, stage: 'complete' }]);
  });
});
