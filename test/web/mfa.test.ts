import { scrypt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EntraSignIn } from '../../src/web/entra-sign-in.js';
import { createWebApp } from '../../src/web/web-app.js';
import { launchChromium } from '../support/chromium.js';
import { TestAuthenticators } from './support/authenticators.js';
import { csrfOf, InjectedBrowser } from './support/inject-session.js';
import { startTrapProxy, type TrapProxy } from './support/trap-proxy.js';
import { OWASP_HASHING } from '../../src/smtp/password-hash.js';
import { ACCOUNTS, createWebSite, PASSWORD, TEST_HASHING, type WebSite } from './support/web-site.js';

// Every sign-in runs scrypt at N=2^17 (a third of a second alone, seconds on a busy machine), and these tests sign several people in.
vi.setConfig({ testTimeout: 120_000 });

/** A DPO added after the change: not yet enrolled. */
const NEW_DPO = 'new.dpo@stmarys-example.sch.uk';

let web: WebSite;
afterEach(async () => {
  await web?.dispose();
});

async function accountAudit() {
  return web.site.exec(`SELECT actor, action, reason FROM audit_log WHERE action LIKE 'account-%' AND seq > ${web.setupAuditSeq} ORDER BY seq`);
}

/** The password step alone, in a fresh browser: its answer. */
async function password(browser: InjectedBrowser, email: string, given = PASSWORD) {
  const form = await browser.get('/sign-in');
  return browser.post('/sign-in', { _csrf: csrfOf(form.body), email, password: given });
}

describe('TOTP for the roles that see held mail (inject)', () => {
  beforeEach(async () => {
    web = await createWebSite();
    await web.store.users.add({ email: NEW_DPO, role: 'dpo', passwordHash: await TEST_HASHING.hash(PASSWORD) });
  });

  it('sends a DPO without an authenticator from the password to enrolment, and nowhere else, until a right code', async () => {
    const browser = new InjectedBrowser(web.app);
    const answer = await password(browser, NEW_DPO);
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/sign-in/enrol');
    const partial = browser.cookies.get('hm_session');
    // Every page of the app sends a half-signed-in browser back to enrolment; a form is refused.
    for (const url of ['/quarantine', '/dashboard', '/accounts', '/sign-in/code']) {
      const page = await browser.get(url);
      expect(page.statusCode).toBe(303);
      expect(page.headers.location).toBe('/sign-in/enrol');
    }
    expect((await browser.post('/quarantine/held-1/release', { _csrf: 'x' })).statusCode).toBe(401);

    const page = await browser.get('/sign-in/enrol');
    expect(page.statusCode).toBe(200);
    const qr = /<img class="qr" src="data:image\/svg\+xml;base64,([^"]+)"/.exec(page.body)?.[1];
    expect(Buffer.from(qr!, 'base64').toString('utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const secret = /<code id="setup-key">([A-Z2-7 ]+)<\/code>/.exec(page.body)![1]!.replace(/ /g, '');
    expect(secret).toHaveLength(32);
    // The same secret after a reload: the QR code scanned stays good.
    expect((await browser.get('/sign-in/enrol')).body).toContain(/<code id="setup-key">([A-Z2-7 ]+)<\/code>/.exec(page.body)![1]);

    const wrong = await browser.post('/sign-in/enrol', {
      _csrf: csrfOf(page.body),
      code: String((Number(TestAuthenticators.codeAt(secret, new Date()).code) + 1) % 1_000_000).padStart(6, '0'),
    });
    expect(wrong.statusCode).toBe(401);
    expect((await browser.post('/sign-in/enrol', { _csrf: 'forged', code: TestAuthenticators.codeAt(secret, new Date()).code })).statusCode).toBe(403);

    const done = await browser.post('/sign-in/enrol', { _csrf: csrfOf(page.body), code: TestAuthenticators.codeAt(secret, new Date()).code });
    expect(done.statusCode).toBe(200);
    const codes = [...done.body.matchAll(/<li><code>([a-z2-9-]+)<\/code><\/li>/g)].map((match) => match[1]);
    expect(codes).toHaveLength(10);
    // A new session id: the one from before the second factor is worth nothing now.
    expect(browser.cookies.get('hm_session')).not.toBe(partial);
    expect((await browser.get('/quarantine')).statusCode).toBe(200);
    const stale = new InjectedBrowser(web.app);
    stale.plant('hm_session', partial!);
    expect((await stale.get('/quarantine')).headers.location).toBe('/sign-in');
    // Shown once: enrolment is over, its page is gone.
    expect((await browser.get('/sign-in/enrol')).statusCode).toBe(303);
    expect(JSON.stringify(await web.site.exec('SELECT * FROM users'))).not.toContain(secret);
    expect(await accountAudit()).toEqual([{ actor: NEW_DPO, action: 'account-mfa-enrol', reason: `account ${NEW_DPO}: authenticator enrolled, 10 recovery codes issued` }]);
  });

  it('asks an enrolled account for its code; refuses a wrong code, and a code used already even in another browser', async () => {
    const first = new InjectedBrowser(web.app);
    expect((await password(first, ACCOUNTS.dsl)).headers.location).toBe('/sign-in/code');
    expect((await first.get('/quarantine')).headers.location).toBe('/sign-in/code');
    expect((await first.enterCode('000000')).statusCode).toBe(401);
    const code = web.authenticators.nextCode(ACCOUNTS.dsl);
    const accepted = await first.enterCode(code);
    expect(accepted.statusCode).toBe(303);
    expect(accepted.headers.location).toBe('/quarantine');
    expect((await first.get('/quarantine')).statusCode).toBe(200);

    // Someone who saw the code (and knows the password) is too late with it.
    const replay = new InjectedBrowser(web.app);
    await password(replay, ACCOUNTS.dsl);
    const refused = await replay.enterCode(code);
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain('That code was used already');
    expect((await replay.get('/quarantine')).headers.location).toBe('/sign-in/code');
    // The next code is good.
    expect((await replay.enterCode(web.authenticators.nextCode(ACCOUNTS.dsl))).headers.location).toBe('/quarantine');
  });

  it('takes each recovery code once, in place of a TOTP code', async () => {
    const enrolling = new InjectedBrowser(web.app, undefined, web.authenticators);
    await password(enrolling, NEW_DPO);
    const shown = await enrolling.enrol(NEW_DPO);
    const [recoveryCode] = [...shown.body.matchAll(/<li><code>([a-z2-9-]+)<\/code><\/li>/g)].map((match) => match[1]!);
    const once = new InjectedBrowser(web.app);
    await password(once, NEW_DPO);
    expect((await once.enterCode(recoveryCode!.toUpperCase())).headers.location).toBe('/quarantine');
    const twice = new InjectedBrowser(web.app);
    await password(twice, NEW_DPO);
    expect((await twice.enterCode(recoveryCode!)).statusCode).toBe(401);
    expect((await accountAudit()).map((row) => row.action)).toEqual(['account-mfa-enrol', 'account-mfa-recovery-code']);
  });

  it('limits the codes tried per account, whatever the browser', async () => {
    const browsers = [new InjectedBrowser(web.app), new InjectedBrowser(web.app)];
    for (const browser of browsers) await password(browser, ACCOUNTS.dpo);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) statuses.push((await browsers[attempt % 2]!.enterCode('000000')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('lets a business manager in with the password alone', async () => {
    const browser = new InjectedBrowser(web.app);
    const answer = await password(browser, ACCOUNTS['business-manager']);
    expect(answer.headers.location).toBe('/quarantine');
    expect((await browser.get('/dashboard')).statusCode).toBe(200);
  });

  it('enrols anew after an admin resets MFA: the old authenticator no longer signs in', async () => {
    await web.store.users.resetMfa(ACCOUNTS.dpo, { actor: 'cli:it-admin', reason: 'lost phone' });
    const browser = new InjectedBrowser(web.app);
    expect((await password(browser, ACCOUNTS.dpo)).headers.location).toBe('/sign-in/enrol');
  });
});

describe('password hashes at an older cost', () => {
  it('are replaced at the next successful sign-in, audited, and never at a failed one', async () => {
    // The gateway's own hashing, at OWASP's cost: what a sign-in upgrades to.
    web = await createWebSite('sqlite', { passwordHashing: OWASP_HASHING });
    const old = await new Promise<string>((resolve, reject) =>
      scrypt(PASSWORD, Buffer.from('invented salt 16'), 32, { N: 16384, r: 8, p: 1 }, (error, key) =>
        error ? reject(error) : resolve(['scrypt', 16384, 8, 1, Buffer.from('invented salt 16').toString('base64'), key.toString('base64')].join('$')),
      ),
    );
    await web.site.exec('UPDATE users SET password_hash = ? WHERE email = ?', [old, ACCOUNTS['business-manager']]);
    const browser = new InjectedBrowser(web.app);
    expect((await password(browser, ACCOUNTS['business-manager'], 'not the password at all')).statusCode).toBe(401);
    expect((await web.store.users.credentials(ACCOUNTS['business-manager']))?.passwordHash).toBe(old);
    expect((await password(browser, ACCOUNTS['business-manager'])).headers.location).toBe('/quarantine');
    const upgraded = (await web.store.users.credentials(ACCOUNTS['business-manager']))!.passwordHash;
    expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await accountAudit()).toEqual([
      { actor: ACCOUNTS['business-manager'], action: 'account-password-upgrade', reason: `account ${ACCOUNTS['business-manager']}: password hash upgraded to today's cost` },
    ]);
    expect((await password(new InjectedBrowser(web.app), ACCOUNTS['business-manager'])).headers.location).toBe('/quarantine');
  });
});

describe('password sign-in switched off (entraId.passwordSignIn: false)', () => {
  it('offers Microsoft only: no password field, and no POST /sign-in nor second step to reach', async () => {
    web = await createWebSite();
    // An issuer nobody answers at: the page says Microsoft is unavailable, and still takes no password.
    const entra = new EntraSignIn({
      tenantId: '0f6c1e2a-5b7d-4c8e-9a1b-2c3d4e5f6a7b',
      clientId: '3c9a7e51-2d4b-4f86-a0c1-5e7f9b2d4a61',
      clientSecret: 'invented',
      issuer: new URL('http://127.0.0.1:9'),
      redirectUri: new URL('http://127.0.0.1/sign-in/entra/callback'),
    });
    const app = await createWebApp({ store: web.store, mail: web.mail, entraSignIn: entra, passwordSignIn: false });
    try {
      const page = await app.inject({ url: '/sign-in' });
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('name="password"');
      expect(page.body).toContain('accepts no passwords');
      const post = await app.inject({ method: 'POST', url: '/sign-in', payload: 'email=x&password=y', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      // No such route: the app's answer to any unknown form from a browser with no session.
      expect(post.statusCode).toBe(401);
      expect(post.cookies).toEqual([]);
      expect((await app.inject({ url: '/sign-in/code' })).headers.location).toBe('/sign-in');
    } finally {
      await app.close();
    }
    await expect(createWebApp({ store: web.store, mail: web.mail, passwordSignIn: false })).rejects.toThrow(/only where Entra ID/);
  });
});

describe('the enrolment page in Chromium, under the app’s own CSP', () => {
  let browser: Browser;
  let trap: TrapProxy;
  beforeAll(async () => {
    trap = await startTrapProxy();
    browser = await launchChromium({ proxy: { server: trap.url, bypass: '127.0.0.1' } });
  });
  afterAll(async () => {
    await browser?.close();
    await trap?.close();
  });

  it('shows a QR code drawn on the server, loads nothing from elsewhere, runs no script, and finishes with the recovery codes', async () => {
    web = await createWebSite();
    await web.store.users.add({ email: NEW_DPO, role: 'dpo', passwordHash: await TEST_HASHING.hash(PASSWORD) });
    await web.app.listen({ host: '127.0.0.1', port: 0 });
    const origin = `http://127.0.0.1:${(web.app.server.address() as AddressInfo).port}`;
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));

    await page.goto(`${origin}/quarantine`);
    await page.getByLabel('Email address').fill(NEW_DPO);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.waitForURL(`${origin}/sign-in/enrol`);
    const qr = page.getByRole('img', { name: /QR code for an authenticator app/ });
    // Drawn: the browser decoded the SVG data URI the CSP allows (img-src data:).
    await expect.poll(() => qr.evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    const secret = (await page.locator('#setup-key').textContent())!.replace(/\s/g, '');
    await page.getByLabel('Code from the app').fill(TestAuthenticators.codeAt(secret, new Date()).code);
    await page.getByRole('button', { name: 'Finish setting up' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Your recovery codes');
    expect(await page.locator('.recovery-codes li').count()).toBe(10);
    await page.getByRole('link', { name: 'Continue to the quarantine' }).click();
    await page.waitForURL(`${origin}/quarantine`);
    expect(await page.locator('header.bar').textContent()).toContain(`${NEW_DPO} (dpo)`);

    // What the pages loaded (Chromium's own background traffic goes to the trap and is no page's doing).
    expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
