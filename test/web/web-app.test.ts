import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGatewayMetrics } from '../../src/gateway/metrics.js';
import { SESSION_LIMITS } from '../../src/store/user-directory.js';
import { inventedRecord, PUPIL_NAME } from '../store/support/invented-records.js';
import { hostileRecord } from './support/held-messages.js';
import { csrfOf, InjectedBrowser } from './support/inject-session.js';
import { ACCOUNTS, createWebSite, PASSWORD, TEST_HASHING, type WebSite } from './support/web-site.js';

// Every sign-in runs scrypt at N=2^17 (a third of a second alone, seconds on a busy machine), and these tests sign several people in.
vi.setConfig({ testTimeout: 120_000 });

let web: WebSite;
beforeEach(async () => {
  web = await createWebSite();
  await web.store.quarantine.hold(inventedRecord({ id: 'held-1' }));
  await web.store.quarantine.hold(
    inventedRecord({ id: 'held-2', receivedAt: new Date('2026-11-21T10:00:00Z'), envelope: { mailFrom: 'teacher.two@stmarys-example.sch.uk', rcptTo: ['carer@example.net'] } }),
  );
});
afterEach(async () => {
  await web.dispose();
});

async function signedIn(role: keyof typeof ACCOUNTS): Promise<InjectedBrowser> {
  const browser = web.browser();
  const response = await browser.signIn(ACCOUNTS[role], PASSWORD);
  expect(response.statusCode).toBe(303);
  return browser;
}

async function humanAudit() {
  const rows = await web.site.exec(`SELECT action, actor, message_id, reason FROM audit_log WHERE kind = 'human' AND seq > ${web.setupAuditSeq} ORDER BY seq`);
  return rows.map((row) => ({ action: row.action, actor: row.actor, messageId: row.message_id, reason: row.reason }));
}

describe('signing in', () => {
  it('sends security headers and no-store on every page, and a strict CSP with no script at all', async () => {
    const response = await web.app.inject({ url: '/sign-in' });
    expect(response.statusCode).toBe(200);
    const csp = String(response.headers['content-security-policy']);
    for (const directive of ["default-src 'self'", "script-src 'none'", "frame-src 'none'", "object-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"])
      expect(csp).toContain(directive);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).not.toContain('<script');
    expect(response.body).toMatch(/<label for="email">/);
  });

  it('starts a session with an HttpOnly, SameSite=Strict cookie, and refuses a wrong password, an unknown user and a disabled one', async () => {
    const browser = web.browser();
    expect((await browser.signIn(ACCOUNTS.dpo, 'not the password at all')).statusCode).toBe(401);
    expect((await browser.signIn('nobody@stmarys-example.sch.uk', PASSWORD)).statusCode).toBe(401);
    await web.store.users.add({ email: 'left@stmarys-example.sch.uk', role: 'dpo', passwordHash: await TEST_HASHING.hash(PASSWORD) });
    await web.store.users.disable('left@stmarys-example.sch.uk', { actor: 'cli:test' });
    expect((await browser.signIn('left@stmarys-example.sch.uk', PASSWORD)).statusCode).toBe(401);
    expect(browser.cookies.has('hm_session')).toBe(false);

    const response = await browser.signIn(ACCOUNTS.dpo, PASSWORD);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/quarantine');
    const cookie = [response.headers['set-cookie']].flat().find((line) => line?.startsWith('hm_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect((await browser.get('/quarantine')).statusCode).toBe(200);
  });

  it("gives the session cookie the session's lifetime as Max-Age, never a date on the server's clock", async () => {
    // A clock a year behind the real one: an Expires date from it would be in the past for every browser.
    const yearAgo = new Date(Date.now() - 365 * 24 * 3_600_000);
    const skewed = await createWebSite('sqlite', { now: () => yearAgo });
    try {
      const response = await new InjectedBrowser(skewed.app).signIn(ACCOUNTS.dpo, PASSWORD);
      const cookie = [response.headers['set-cookie']].flat().find((line) => line?.startsWith('hm_session='));
      expect(cookie).toMatch(new RegExp(`Max-Age=${SESSION_LIMITS.absoluteMs / 1000}(;|$)`));
      expect(cookie).not.toMatch(/Expires=/);
    } finally {
      await skewed.dispose();
    }
  });

  it('uses __Host- cookies with Secure when served over HTTPS', async () => {
    const secure = await createWebSite('sqlite', { secureCookies: true });
    try {
      const form = await secure.app.inject({ url: '/sign-in' });
      expect(String(form.headers['set-cookie'])).toMatch(/^__Host-hm_signin=.*Secure/);
      expect(String(form.headers['strict-transport-security'])).toContain('max-age=');
      const signInCookie = form.cookies.find((cookie) => cookie.name === '__Host-hm_signin')!;
      const response = await secure.app.inject({
        method: 'POST',
        url: '/sign-in',
        cookies: { '__Host-hm_signin': signInCookie.value },
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrfOf(form.body), email: ACCOUNTS.dpo, password: PASSWORD }).toString(),
      });
      expect(response.statusCode).toBe(303);
      expect(String(response.headers['set-cookie'])).toMatch(/__Host-hm_session=[^;]+;.*Secure/);
    } finally {
      await secure.dispose();
    }
  });

  it('refuses a sign-in without the form token bound to its cookie (login CSRF)', async () => {
    const browser = web.browser();
    await browser.get('/sign-in');
    expect((await browser.post('/sign-in', { email: ACCOUNTS.dpo, password: PASSWORD })).statusCode).toBe(403);
    const other = web.browser();
    const foreignToken = await other.tokenFrom('/sign-in');
    expect((await browser.post('/sign-in', { _csrf: foreignToken, email: ACCOUNTS.dpo, password: PASSWORD })).statusCode).toBe(403);
    expect(browser.cookies.has('hm_session')).toBe(false);
  });

  it('limits attempts per address and login: the sixth in a minute is refused even with the right password', async () => {
    const browser = web.browser();
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await browser.signIn(ACCOUNTS.dpo, 'wrong password here')).statusCode).toBe(401);
    const limited = await browser.signIn(ACCOUNTS.dpo, PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(browser.cookies.has('hm_session')).toBe(false);
    // Another login from the same address is not locked out by it.
    expect((await browser.signIn(ACCOUNTS.dsl, PASSWORD)).statusCode).toBe(303);
  });

  it('behind a trusted proxy, limits each real client apart: one guessing client does not lock out another', async () => {
    const behindProxy = await createWebSite('sqlite', { trustProxy: ['127.0.0.1/32'] });
    try {
      const guesser = new InjectedBrowser(behindProxy.app, undefined, undefined, { 'x-forwarded-for': '198.51.100.1' });
      for (let attempt = 0; attempt < 5; attempt += 1) expect((await guesser.signIn(ACCOUNTS.dpo, 'wrong password here')).statusCode).toBe(401);
      expect((await guesser.signIn(ACCOUNTS.dpo, PASSWORD)).statusCode).toBe(429);
      const colleague = new InjectedBrowser(behindProxy.app, undefined, undefined, { 'x-forwarded-for': '198.51.100.2' });
      expect((await colleague.signIn(ACCOUNTS.dpo, PASSWORD)).statusCode).toBe(303);
    } finally {
      await behindProxy.dispose();
    }
  });

  it('without trustProxy, the forwarded address is ignored: a client cannot pick a fresh address to dodge the limit', async () => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const spoofing = new InjectedBrowser(web.app, undefined, undefined, { 'x-forwarded-for': `203.0.113.${attempt}` });
      expect((await spoofing.signIn(ACCOUNTS.dpo, 'wrong password here')).statusCode).toBe(401);
    }
    const next = new InjectedBrowser(web.app, undefined, undefined, { 'x-forwarded-for': '203.0.113.99' });
    expect((await next.signIn(ACCOUNTS.dpo, PASSWORD)).statusCode).toBe(429);
  });

  it('checks the form token before counting an attempt: forged posts lock nobody out', async () => {
    const forger = web.browser();
    await forger.get('/sign-in');
    for (let attempt = 0; attempt < 8; attempt += 1) {
      expect((await forger.post('/sign-in', { _csrf: 'forged', email: ACCOUNTS.dpo, password: 'wrong password here' })).statusCode).toBe(403);
    }
    expect((await forger.signIn(ACCOUNTS.dpo, PASSWORD)).statusCode).toBe(303);
  });

  it('limits failures per account from every address together: rotating addresses does not help a guesser', async () => {
    const behindProxy = await createWebSite('sqlite', { trustProxy: ['127.0.0.1/32'] });
    try {
      for (let address = 1; address <= 10; address += 1) {
        const guesser = new InjectedBrowser(behindProxy.app, undefined, undefined, { 'x-forwarded-for': `198.51.100.${address}` });
        expect((await guesser.signIn(ACCOUNTS.dpo, 'wrong password here')).statusCode).toBe(401);
      }
      const fresh = new InjectedBrowser(behindProxy.app, undefined, undefined, { 'x-forwarded-for': '198.51.100.200' });
      expect((await fresh.signIn(ACCOUNTS.dpo, PASSWORD)).statusCode).toBe(429);
      // Another account is not held back by it.
      expect((await fresh.signIn(ACCOUNTS.dsl, PASSWORD)).statusCode).toBe(303);
    } finally {
      await behindProxy.dispose();
    }
  });

  it('signs out: the session ends in the store, and its cookie no longer works', async () => {
    const browser = await signedIn('dpo');
    const session = browser.cookies.get('hm_session')!;
    expect((await browser.post('/sign-out', { _csrf: await browser.tokenFrom('/quarantine') })).statusCode).toBe(303);
    const replayed = await web.app.inject({ url: '/quarantine', cookies: { hm_session: session } });
    expect(replayed.statusCode).toBe(303);
    expect(replayed.headers.location).toBe('/sign-in');
  });

  it('ends a session left idle for 30 minutes', async () => {
    const start = Date.now();
    let now = new Date(start);
    const clocked = await createWebSite('sqlite', { now: () => now });
    try {
      const browser = clocked.browser();
      expect((await browser.signIn(ACCOUNTS.dpo, PASSWORD)).statusCode).toBe(303);
      now = new Date(start + 29 * 60_000);
      expect((await browser.get('/quarantine')).statusCode).toBe(200);
      now = new Date(start + 59 * 60_000);
      expect((await browser.get('/quarantine')).statusCode).toBe(303);
    } finally {
      await clocked.dispose();
    }
  });
});

describe('refusals', () => {
  it('without a session: pages go to sign-in, forms are refused, nothing is queued', async () => {
    for (const url of ['/quarantine', '/quarantine/held-1', '/quarantine/held-1/attachments/0', '/']) {
      const response = await web.app.inject({ url });
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location).toBe('/sign-in');
    }
    const forged = await web.app.inject({
      method: 'POST',
      url: '/quarantine/held-1/release',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'reason=x',
    });
    expect(forged.statusCode).toBe(401);
    expect(await web.releaseJob('held-1')).toBeUndefined();
    expect((await web.app.inject({ url: '/quarantine', cookies: { hm_session: 'made-up-session' } })).statusCode).toBe(303);
  });

  it('without the session-bound CSRF token: refused, nothing queued or decided', async () => {
    const browser = await signedIn('dpo');
    expect((await browser.post('/quarantine/held-1/release', { reason: 'looks fine' })).statusCode).toBe(403);
    const other = await signedIn('admin');
    const othersToken = await other.tokenFrom('/quarantine');
    expect((await browser.post('/quarantine/held-1/release', { _csrf: othersToken, reason: 'looks fine' })).statusCode).toBe(403);
    expect((await browser.post('/quarantine/held-1/reject', { _csrf: 'forged', reason: 'no' })).statusCode).toBe(403);
    expect((await browser.post('/quarantine/bulk', { id: 'held-1', action: 'reject', reason: 'no' })).statusCode).toBe(403);
    expect((await browser.post('/sign-out', {})).statusCode).toBe(403);
    expect(await web.releaseJob('held-1')).toBeUndefined();
    expect((await web.store.quarantine.open('held-1')).status).toBe('held');
  });

  it('by role: the Business Manager sees the list only, the DSL reads but does not decide, only the DPO downloads', async () => {
    const bursar = await signedIn('business-manager');
    const list = await bursar.get('/quarantine');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('teacher.one@stmarys-example.sch.uk');
    expect(list.body).not.toContain('href="/quarantine/held-1"');
    expect((await bursar.get('/quarantine/held-1')).statusCode).toBe(403);

    const dsl = await signedIn('dsl');
    const page = await dsl.get('/quarantine/held-1');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('/release"');
    const token = csrfOf(page.body);
    expect((await dsl.post('/quarantine/held-1/release', { _csrf: token, reason: 'fine' })).statusCode).toBe(403);
    expect((await dsl.post('/quarantine/held-1/reject', { _csrf: token, reason: 'no' })).statusCode).toBe(403);
    expect((await dsl.post('/quarantine/bulk', { _csrf: token, id: 'held-1', action: 'reject', reason: 'no' })).statusCode).toBe(403);
    expect((await dsl.get('/quarantine/held-1/attachments/0')).statusCode).toBe(403);
    expect((await bursar.post('/quarantine/held-1/release', { _csrf: csrfOf(list.body), reason: 'fine' })).statusCode).toBe(403);

    const admin = await signedIn('admin');
    expect((await admin.get('/quarantine/held-1/attachments/0')).statusCode).toBe(403);
    expect(await web.releaseJob('held-1')).toBeUndefined();
    expect((await web.store.quarantine.open('held-1')).status).toBe('held');
  });
});

describe('the quarantine', () => {
  it('lists with filters in the query and the sender filter and search by POST only', async () => {
    const dpo = await signedIn('dpo');
    const all = await dpo.get('/quarantine');
    expect(all.body).toContain('2 messages');
    expect((await dpo.get('/quarantine?status=released')).body).toContain('0 messages');
    expect((await dpo.get('/quarantine?category=sensitive/health&rule=health-external&since=2026-11-20&until=2026-11-20')).body).toContain('1 message');
    expect((await dpo.get('/quarantine?status=bogus')).statusCode).toBe(400);
    const token = csrfOf(all.body);
    const bySender = await dpo.post('/quarantine/search', { _csrf: token, sender: 'Teacher.Two@stmarys-example.sch.uk' });
    expect(bySender.body).toContain('1 message');
    expect(bySender.body).toContain('href="/quarantine/held-2"');
    const bySearch = await dpo.post('/quarantine/search', { _csrf: token, search: 'carer@' });
    expect(bySearch.body).toContain('1 message');
    expect(bySearch.body).not.toContain('href="/quarantine/held-1"');
  });

  it('shows a message with findings marked in place, everything escaped, the HTML body inert, and audits the view', async () => {
    await web.store.quarantine.hold(hostileRecord('hostile-1'));
    const dsl = await signedIn('dsl');
    const page = await dsl.get('/quarantine/hostile-1');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<mark title="pupil-name">${PUPIL_NAME}</mark>`);
    expect(page.body).toContain('<mark title="sensitive/health">asthma</mark>');
    expect(page.body).toContain('&#60;b&#62;not bold&#60;/b&#62;');
    expect(page.body).not.toMatch(/<script/i);
    expect(page.body).toMatch(/<iframe[^>]* sandbox=""[^>]* srcdoc="/);
    expect(page.body).toContain('default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:');
    expect(page.body).toContain('class-list.csv');
    expect(page.body).not.toContain('/attachments/0');
    expect(await humanAudit()).toEqual([{ action: 'view', actor: ACCOUNTS.dsl, messageId: 'hostile-1', reason: null }]);
    expect((await dsl.get('/quarantine/no-such-id')).statusCode).toBe(404);
  });

  it('lets the DPO download an attachment as opaque bytes, audited', async () => {
    await web.store.quarantine.hold(hostileRecord('hostile-1'));
    const dpo = await signedIn('dpo');
    const download = await dpo.get('/quarantine/hostile-1/attachments/0');
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/octet-stream');
    expect(download.headers['content-disposition']).toBe('attachment; filename="attachment-1"');
    expect(download.body).toContain(PUPIL_NAME);
    expect((await dpo.get('/quarantine/hostile-1/attachments/7')).statusCode).toBe(404);
    expect((await humanAudit()).map((entry) => entry.action)).toEqual(['export']);
  });

  it('releases: asks for a reason, queues the release job, and audits the request with the reason', async () => {
    const dpo = await signedIn('dpo');
    const token = await dpo.tokenFrom('/quarantine/held-1');
    expect((await dpo.post('/quarantine/held-1/release', { _csrf: token, reason: '' })).statusCode).toBe(400);
    expect(await web.releaseJob('held-1')).toBeUndefined();

    const response = await dpo.post('/quarantine/held-1/release-encrypted', { _csrf: token, reason: 'parent asked; checked with the head' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/quarantine/held-1?done=release-encrypted');
    expect((await web.releaseJob('held-1'))?.data).toEqual({ messageId: 'held-1', encrypt: true, actor: ACCOUNTS.dpo });
    expect((await dpo.get(String(response.headers.location))).body).toContain('Encrypted release queued');
    expect((await humanAudit()).filter((entry) => entry.action === 'release')).toEqual([
      { action: 'release', actor: ACCOUNTS.dpo, messageId: 'held-1', reason: 'requested (encrypted): parent asked; checked with the head' },
    ]);
  });

  it('returns to sender: rejected at once with the reason audited; a second decision is refused', async () => {
    const admin = await signedIn('admin');
    const token = await admin.tokenFrom('/quarantine/held-1');
    expect((await admin.post('/quarantine/held-1/reject', { _csrf: token, reason: 'use initials and resend' })).statusCode).toBe(303);
    expect((await web.store.quarantine.open('held-1')).status).toBe('rejected');
    expect(await web.mailKinds()).toEqual(['rejection-notice']);
    expect((await humanAudit()).filter((entry) => entry.action === 'reject')).toEqual([
      { action: 'reject', actor: ACCOUNTS.admin, messageId: 'held-1', reason: 'use initials and resend' },
    ]);
    expect((await admin.post('/quarantine/held-1/release', { _csrf: token, reason: 'changed my mind' })).statusCode).toBe(409);
    expect(await web.releaseJob('held-1')).toBeUndefined();
  });

  it('decides in bulk, leaving messages no longer held as they were', async () => {
    await web.store.quarantine.decide('held-2', { status: 'rejected', actor: 'someone-else' });
    const dpo = await signedIn('dpo');
    const token = await dpo.tokenFrom('/quarantine');
    const response = await dpo.post('/quarantine/bulk', { _csrf: token, id: ['held-1', 'held-2'], action: 'release', reason: 'both fine' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('1 message; 1 no longer held');
    expect((await web.releaseJob('held-1'))?.data).toMatchObject({ encrypt: false, actor: ACCOUNTS.dpo });
    expect(await web.releaseJob('held-2')).toBeUndefined();
  });
});

describe('status routes', () => {
  it('serves /healthz and /metrics without a session', async () => {
    let healthy = true;
    const metrics = createGatewayMetrics();
    const status = await createWebSite('sqlite', { metrics, isHealthy: () => healthy });
    try {
      expect((await status.app.inject({ url: '/healthz' })).body).toBe('ok\n');
      expect((await status.app.inject({ url: '/metrics' })).body).toContain('hallmonitor_messages_total');
      healthy = false;
      expect((await status.app.inject({ url: '/healthz' })).statusCode).toBe(503);
    } finally {
      await status.dispose();
    }
  });

  it('keeps /metrics behind a bearer token when one is configured', async () => {
    const metricsToken = 'invented-metrics-token-0123456789abcdef';
    const status = await createWebSite('sqlite', { metrics: createGatewayMetrics(), metricsToken });
    try {
      const without = await status.app.inject({ url: '/metrics' });
      expect(without.statusCode).toBe(401);
      expect(without.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(without.body).not.toContain('hallmonitor_');
      expect((await status.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token' } })).statusCode).toBe(401);
      const right = await status.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } });
      expect(right.statusCode).toBe(200);
      expect(right.body).toContain('hallmonitor_queue_jobs_refused_total');
    } finally {
      await status.dispose();
    }
  });

  it("serves /readyz without a session: 200 while the gateway's dependencies answer, 503 naming those that do not", async () => {
    let failing: string[] = [];
    const status = await createWebSite('sqlite', { readiness: async () => ({ ready: failing.length === 0, failing }) });
    try {
      const ready = await status.app.inject({ url: '/readyz' });
      expect([ready.statusCode, ready.body, ready.headers['cache-control']]).toEqual([200, 'ready\n', 'no-store']);
      failing = ['redis', 'next-hop'];
      const notReady = await status.app.inject({ url: '/readyz' });
      expect([notReady.statusCode, notReady.body]).toEqual([503, 'not ready: redis, next-hop\n']);
    } finally {
      await status.dispose();
    }
  });
});

describe('on PostgreSQL', () => {
  it('signs in, opens a message (audited) and releases it', async () => {
    const postgres = await createWebSite('postgres');
    try {
      await postgres.store.quarantine.hold(inventedRecord({ id: 'pg-held-1' }));
      const dpo = postgres.browser();
      expect((await dpo.signIn(ACCOUNTS.dpo, PASSWORD)).statusCode).toBe(303);
      const page = await dpo.get('/quarantine/pg-held-1');
      expect(page.statusCode).toBe(200);
      expect((await dpo.post('/quarantine/pg-held-1/release', { _csrf: csrfOf(page.body), reason: 'fine as it is' })).statusCode).toBe(303);
      expect((await postgres.releaseJob('pg-held-1'))?.data).toEqual({ messageId: 'pg-held-1', encrypt: false, actor: ACCOUNTS.dpo });
      const audit = await postgres.site.exec(`SELECT action FROM audit_log WHERE kind = 'human' AND seq > ${postgres.setupAuditSeq} ORDER BY seq`);
      expect(audit.map((row) => row.action)).toEqual(['view', 'release']);
    } finally {
      await postgres.dispose();
    }
  });
});
