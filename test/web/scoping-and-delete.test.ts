import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { smtpNextHop } from '../../src/delivery/next-hop.js';
import { releaseHeldMessage } from '../../src/actions/quarantine-decisions.js';
import type { RuleSet } from '../../src/policy/decide.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { ENGINES } from '../store/support/store-engines.js';
import { inventedRecord, verdictEntry } from '../store/support/invented-records.js';
import { hostileRaw } from './support/held-messages.js';
import { csrfOf, InjectedBrowser, isSignedIn } from './support/inject-session.js';
import { ACCOUNTS, createWebSite, PASSWORD, TEST_HASHING, type WebSite } from './support/web-site.js';

// Every sign-in runs scrypt at N=2^17 (a third of a second alone, seconds on a busy machine), and these tests sign several people in.
vi.setConfig({ testTimeout: 120_000 });

const NOW = new Date('2026-11-24T12:00:00.000Z');
const RECEIVED = new Date('2026-11-20T10:00:00.000Z');

/** Two invented schools of one trust, each with its own sender and its own rule, so every page shows whose it is. */
const SCHOOL = { a: 'school-a-example', b: 'school-b-example' } as const;
const SENDER = { a: 'teacher@school-a-example.sch.uk', b: 'teacher@school-b-example.sch.uk' } as const;
const RULE = { a: 'rule-of-school-a', b: 'rule-of-school-b' } as const;
/** School A holds 3 messages, school B 4: every count tells the scopes apart. */
const HELD = { a: ['a-1', 'a-2', 'a-3'], b: ['b-1', 'b-2', 'b-3', 'b-4'] } as const;
const SCHOOL_A_DPO = 'dpo@school-a-example.sch.uk';

function ruleSet(id: string): RuleSet {
  return {
    rules: [
      {
        id,
        description: `Invented rule ${id}`,
        clause: 'Invented policy 1.1',
        reason: 'invented',
        when: { finding: { category: ['pupil-name'] } },
        action: 'quarantine',
        notify: [],
      },
    ],
  };
}

/** A trust with schools A and B: each school's messages held with their verdicts (so the audit log and register have them). */
async function trustSite(engine: 'sqlite' | 'postgres'): Promise<WebSite> {
  const rules = new Map([
    [SCHOOL.a, ruleSet(RULE.a)],
    [SCHOOL.b, ruleSet(RULE.b)],
  ]);
  const web = await createWebSite(engine, { now: () => NOW, ruleSets: () => rules });
  await web.store.users.add({ email: SCHOOL_A_DPO, role: 'dpo', passwordHash: await TEST_HASHING.hash(PASSWORD), schools: [SCHOOL.a] });
  for (const school of ['a', 'b'] as const) {
    for (const id of HELD[school]) {
      const record = inventedRecord({
        id,
        schoolId: SCHOOL[school],
        receivedAt: RECEIVED,
        raw: hostileRaw(),
        ruleIds: [RULE[school]],
        envelope: { mailFrom: SENDER[school], rcptTo: [`parent-${id}@example.org`] },
      });
      await web.store.quarantine.hold(record, verdictEntry({ sender: SENDER[school], ruleIds: [RULE[school]], at: RECEIVED }));
    }
  }
  return web;
}

/** Routes that read no school's records: status, assets, and signing in (any way) and out. */
const UNSCOPED = ['GET /', 'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /favicon.ico', 'GET /assets/app.css', 'POST /sign-out'];
/** The alerts inbox: its scope by school is proved in test/web/alerts.test.ts. */
const SCOPED_IN_ALERTS_TEST = ['GET /alerts', 'POST /alerts/acknowledge', 'POST /alerts/:id/acknowledge'];
/** The accounts page: an admin of the whole trust only, proved in test/web/accounts.test.ts. */
const TRUST_ADMIN_IN_ACCOUNTS_TEST = ['GET /accounts', 'POST /accounts'];
/** The sender's page: no session, the signed link to one message is the credential (test/web/sender-override-through-serve.test.ts). */
const SIGNED_LINK_IN_SERVE_TEST = ['GET /sender/:token', 'POST /sender/:token'];
/** The activity explorer, false positives and the tuning report: their scope is proved in test/web/activity.test.ts. */
const SCOPED_IN_ACTIVITY_TEST = [
  'GET /activity',
  'POST /activity/search',
  'GET /activity.csv',
  'POST /activity.csv',
  'POST /activity/:seq/false-positive',
  'POST /quarantine/:id/false-positive',
  'GET /tuning',
  'GET /tuning.csv',
];
/** Every route whose scope this file proves, below. */
const SCOPED_HERE = [
  'GET /quarantine',
  'POST /quarantine/search',
  'POST /quarantine/bulk',
  'GET /quarantine/:id',
  'GET /quarantine/:id/attachments/:index',
  'POST /quarantine/:id/release',
  'POST /quarantine/:id/release-encrypted',
  'POST /quarantine/:id/reject',
  'POST /quarantine/:id/delete',
  'GET /dashboard',
  'GET /register',
  'GET /register.csv',
  'GET /rules',
  'GET /overrides',
  'POST /overrides/revoke',
  'POST /overrides/restore',
];

/** `METHOD /path` for every route the app serves, read from Fastify's route tree. */
function servedRoutes(web: WebSite): string[] {
  const parents: string[] = [];
  const routes: string[] = [];
  for (const line of web.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const start = line.search(/[^\s│├└─]/);
    if (start < 0) continue;
    const depth = Math.floor(start / 4);
    const [, segment, methods] = /^(\S+)(?: \(([^)]*)\))?/.exec(line.slice(start))!;
    const path = (parents[depth - 1] ?? '') + segment;
    parents[depth] = path;
    for (const method of methods?.split(', ') ?? []) routes.push(`${method} ${path}`);
  }
  return routes;
}

async function signIn(web: WebSite, email: string): Promise<InjectedBrowser> {
  const browser = web.browser();
  expect(isSignedIn(await browser.signIn(email, PASSWORD))).toBe(true);
  return browser;
}

/** What people did to records since the set-up; a school DPO's first sign-in also enrols MFA, an account entry left out here. */
async function humanAudit(web: WebSite) {
  const rows = await web.site.exec(
    `SELECT action, actor, school_id, message_id, reason FROM audit_log WHERE kind = 'human' AND seq > ${web.setupAuditSeq} AND action NOT LIKE 'account-%' ORDER BY seq`,
  );
  return rows.map((row) => ({ action: row.action, actor: row.actor, schoolId: row.school_id, messageId: row.message_id, reason: row.reason }));
}

describe('the scope tests', () => {
  it('cover every route the app serves that reads records', async () => {
    const web = await createWebSite();
    try {
      const routes = servedRoutes(web);
      expect(routes).toEqual(expect.arrayContaining([...UNSCOPED, ...SCOPED_HERE]));
      const known = new Set([...UNSCOPED, ...SCOPED_IN_ALERTS_TEST, ...SCOPED_IN_ACTIVITY_TEST, ...TRUST_ADMIN_IN_ACCOUNTS_TEST, ...SIGNED_LINK_IN_SERVE_TEST, ...SCOPED_HERE]);
      expect(routes.filter((route) => !known.has(route) && !/^(GET|POST) \/sign-in(\/|$)/.test(route))).toEqual([]);
    } finally {
      await web.dispose();
    }
  });
});

describe.each(ENGINES)("a school's DPO and a trust DPO on %s", (engine) => {
  let web: WebSite;
  beforeEach(async () => {
    web = await trustSite(engine);
  });
  afterEach(async () => {
    await web.dispose();
  });

  it('lists, filters and searches only their schools', async () => {
    const schoolDpo = await signIn(web, SCHOOL_A_DPO);
    const list = await schoolDpo.get('/quarantine');
    expect(list.body).toContain(`${SCHOOL_A_DPO} (dpo, ${SCHOOL.a})`);
    expect(list.body).toContain('3 messages');
    expect(list.body).toContain(SENDER.a);
    expect(list.body).not.toContain('<th scope="col" class="optional">School</th>');
    expect(list.body).not.toContain(SENDER.b);
    expect(list.body).not.toContain('href="/quarantine/b-1"');
    expect((await schoolDpo.get(`/quarantine?rule=${RULE.b}`)).body).toContain('0 messages');
    expect((await schoolDpo.get('/quarantine?status=held')).body).toContain('3 messages');
    const token = csrfOf(list.body);
    expect((await schoolDpo.post('/quarantine/search', { _csrf: token, sender: SENDER.b })).body).toContain('0 messages');
    const search = await schoolDpo.post('/quarantine/search', { _csrf: token, search: 'parent-' });
    expect(search.body).toContain('3 messages');
    expect(search.body).not.toContain('parent-b-1@');

    const trustDpo = await signIn(web, ACCOUNTS.dpo);
    const all = await trustDpo.get('/quarantine');
    expect(all.body).toContain('7 messages');
    expect(all.body).toContain(SENDER.b);
    expect(all.body).toContain('<th scope="col" class="optional">School</th>');
    expect(all.body).toContain(`<td class="optional">${SCHOOL.b}</td>`);
    expect((await trustDpo.post('/quarantine/search', { _csrf: csrfOf(all.body), sender: SENDER.b })).body).toContain('4 messages');
  });

  it('opens and downloads only their schools’ messages: another school’s is not found, and nothing about it is audited', async () => {
    const schoolDpo = await signIn(web, SCHOOL_A_DPO);
    expect((await schoolDpo.get('/quarantine/a-1')).statusCode).toBe(200);
    expect((await schoolDpo.get('/quarantine/a-1/attachments/0')).statusCode).toBe(200);
    const other = await schoolDpo.get('/quarantine/b-1');
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain(SENDER.b);
    expect((await schoolDpo.get('/quarantine/b-1/attachments/0')).statusCode).toBe(404);
    expect((await humanAudit(web)).map((entry) => [entry.action, entry.messageId])).toEqual([
      ['view', 'a-1'],
      ['export', 'a-1'],
    ]);

    const trustDpo = await signIn(web, ACCOUNTS.dpo);
    expect((await trustDpo.get('/quarantine/b-1')).statusCode).toBe(200);
    expect((await trustDpo.get('/quarantine/b-1/attachments/0')).statusCode).toBe(200);
  });

  it('decides only on their schools’ messages, singly and in bulk: another school’s is not found and left as it was', async () => {
    const schoolDpo = await signIn(web, SCHOOL_A_DPO);
    const token = await schoolDpo.tokenFrom('/quarantine');
    for (const kind of ['release', 'release-encrypted', 'reject', 'delete']) {
      expect((await schoolDpo.post(`/quarantine/b-1/${kind}`, { _csrf: token, reason: 'not mine to decide' })).statusCode, kind).toBe(404);
    }
    const bulk = await schoolDpo.post('/quarantine/bulk', { _csrf: token, id: ['a-1', 'b-1', 'b-2'], action: 'reject', reason: 'use initials' });
    expect(bulk.statusCode).toBe(200);
    expect(bulk.body).toContain('1 message; 2 no longer held');
    expect((await schoolDpo.post('/quarantine/bulk', { _csrf: token, id: ['b-3'], action: 'delete', reason: 'not mine' })).body).toContain('0 messages; 1 no longer held');
    expect((await web.store.quarantine.find('a-1'))?.status).toBe('rejected');
    for (const id of HELD.b) expect((await web.store.quarantine.open(id)).status, id).toBe('held');
    expect(await web.releaseJob('b-1')).toBeUndefined();
    expect(await web.mailKinds()).toEqual(['rejection-notice']);
    expect((await humanAudit(web)).filter((entry) => entry.schoolId === SCHOOL.b)).toEqual([]);

    const trustDpo = await signIn(web, ACCOUNTS.dpo);
    expect((await trustDpo.post('/quarantine/b-1/reject', { _csrf: await trustDpo.tokenFrom('/quarantine'), reason: 'use initials' })).statusCode).toBe(303);
    expect((await web.store.quarantine.find('b-1'))?.status).toBe('rejected');
  });

  it("shows overrides, senders' requests and revocations of their schools only, and revokes only there", async () => {
    for (const school of ['a', 'b'] as const) {
      const id = school.repeat(32);
      await web.store.returned.keep(
        {
          id,
          schoolId: SCHOOL[school],
          receivedAt: RECEIVED,
          envelope: { mailFrom: SENDER[school], rcptTo: ['parent@example.org'] },
          raw: hostileRaw(),
          ruleIds: [RULE[school]],
          returnedBy: [RULE[school]],
          overridable: true,
          encrypt: false,
          expiresAt: new Date(NOW.getTime() + 3_600_000),
          notice: { reasons: [], found: [], moveToBcc: [], suggestSecure: false },
        },
        verdictEntry({ action: 'return', replyCode: 550, sender: SENDER[school], ruleIds: [RULE[school]], at: RECEIVED }),
      );
      expect(await web.store.returned.claimOverride(id, NOW)).toBe(true);
      await web.store.returned.finishOverride(id, { delivered: true, justification: `reason of school ${school}`, at: NOW, how: 'as sent' });
      await web.store.returned.requestRelease({ messageId: HELD[school][0], reason: `request of school ${school}`, at: NOW });
      await web.store.returned.revoke({
        schoolId: SCHOOL[school],
        sender: `other@${school}.example`,
        ruleId: RULE[school],
        actor: 'dpo@x',
        reason: `revoked in school ${school}`,
        at: NOW,
      });
    }
    const schoolDpo = await signIn(web, SCHOOL_A_DPO);
    const page = await schoolDpo.get('/overrides');
    expect(page.statusCode).toBe(200);
    for (const seen of ['reason of school a', 'request of school a', 'revoked in school a']) expect(page.body).toContain(seen);
    for (const hidden of ['reason of school b', 'request of school b', 'revoked in school b', SENDER.b]) expect(page.body).not.toContain(hidden);
    const token = csrfOf(page.body);
    expect((await schoolDpo.post('/overrides/revoke', { _csrf: token, school: SCHOOL.b, sender: SENDER.b, rule: RULE.b, reason: 'not mine' })).statusCode).toBe(404);
    expect((await schoolDpo.post('/overrides/restore', { _csrf: token, school: SCHOOL.b, sender: `other@b.example`, rule: RULE.b })).statusCode).toBe(404);
    expect(await web.store.returned.revokedRules(SCHOOL.b, SENDER.b)).toEqual([]);
    expect(await web.store.returned.revokedRules(SCHOOL.b, 'other@b.example')).toEqual([RULE.b]);
    expect((await schoolDpo.post('/overrides/revoke', { _csrf: token, school: SCHOOL.a, sender: SENDER.a, rule: RULE.a, reason: 'every message' })).statusCode).toBe(303);
    expect(await web.store.returned.revokedRules(SCHOOL.a, SENDER.a)).toEqual([RULE.a]);
    const dashboard = await schoolDpo.get('/dashboard');
    expect(dashboard.body).toContain(RULE.a);
    expect(dashboard.body).not.toContain(RULE.b);
  });

  it('counts, exports and shows rules of their schools only', async () => {
    const schoolDpo = await signIn(web, SCHOOL_A_DPO);
    const dashboard = await schoolDpo.get('/dashboard');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('<dt>1 to 7 days</dt><dd>3</dd>');
    expect(dashboard.body).toContain(RULE.a);
    expect(dashboard.body).not.toContain(RULE.b);
    expect(dashboard.body).toContain(`<td>${SENDER.a}</td><td>3</td>`);
    expect(dashboard.body).not.toContain(SENDER.b);

    const register = await schoolDpo.get('/register');
    expect(register.body).toContain('3 incidents');
    expect(register.body).not.toContain(SENDER.b);
    const csv = await schoolDpo.get('/register.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain(SENDER.a);
    expect(csv.body).not.toContain(SENDER.b);
    expect((await humanAudit(web)).map((entry) => [entry.action, entry.schoolId])).toEqual([['export', SCHOOL.a]]);

    const rules = await schoolDpo.get('/rules');
    expect(rules.body).toContain(`School: ${SCHOOL.a}`);
    expect(rules.body).toContain(RULE.a);
    expect(rules.body).not.toContain(SCHOOL.b);
    expect(rules.body).not.toContain(RULE.b);

    const trustDpo = await signIn(web, ACCOUNTS.dpo);
    const trustDashboard = await trustDpo.get('/dashboard');
    expect(trustDashboard.body).toContain('<dt>1 to 7 days</dt><dd>7</dd>');
    expect(trustDashboard.body).toContain(`<td>${SENDER.b}</td><td>4</td>`);
    expect((await trustDpo.get('/register')).body).toContain('7 incidents');
    expect((await trustDpo.get('/register.csv')).body).toContain(SENDER.b);
    const trustRules = await trustDpo.get('/rules');
    expect(trustRules.body).toContain(`School: ${SCHOOL.a}`);
    expect(trustRules.body).toContain(`School: ${SCHOOL.b}`);
  });
});

describe('deleting a held message', () => {
  let web: WebSite;
  beforeEach(async () => {
    web = await createWebSite();
    await web.store.quarantine.hold(inventedRecord({ id: 'held-1' }));
    await web.store.quarantine.hold(inventedRecord({ id: 'held-2' }));
  });
  afterEach(async () => {
    await web.dispose();
  });

  it('destroys the body at once, marks the record deleted, audits the reason and tells nobody', async () => {
    const dpo = await signIn(web, ACCOUNTS.dpo);
    const page = await dpo.get('/quarantine/held-1');
    expect(page.body).toContain('action="/quarantine/held-1/delete"');
    const response = await dpo.post('/quarantine/held-1/delete', { _csrf: csrfOf(page.body), reason: 'the DSL is dealing with the sender' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/quarantine?done=delete');
    expect((await dpo.get(String(response.headers.location))).body).toContain('Deleted: the message is destroyed');

    await expect(web.store.quarantine.open('held-1')).rejects.toMatchObject({ code: 'not-found' });
    expect(await web.site.exec("SELECT id FROM quarantine_bodies WHERE id = 'held-1'")).toEqual([]);
    expect(await web.store.quarantine.find('held-1')).toMatchObject({ status: 'deleted', bodyDestroyed: true, decidedBy: ACCOUNTS.dpo });
    expect((await humanAudit(web)).filter((entry) => entry.action === 'delete')).toEqual([
      { action: 'delete', actor: ACCOUNTS.dpo, schoolId: 'st-marys-example', messageId: 'held-1', reason: 'the DSL is dealing with the sender' },
    ]);
    expect(await web.mailKinds()).toEqual([]);
    expect(await web.releaseJob('held-1')).toBeUndefined();
    expect((await dpo.get('/quarantine/held-1')).statusCode).toBe(404);
    expect(await web.store.audit.verify()).toMatchObject({ ok: true });
  });

  it('is refused without a reason, without the form token, for other roles, and for a message no longer held', async () => {
    const dpo = await signIn(web, ACCOUNTS.dpo);
    const token = await dpo.tokenFrom('/quarantine/held-1');
    expect((await dpo.post('/quarantine/held-1/delete', { _csrf: token, reason: '  ' })).statusCode).toBe(400);
    expect((await dpo.post('/quarantine/held-1/delete', { reason: 'no token' })).statusCode).toBe(403);
    expect((await dpo.post('/quarantine/held-1/delete', { _csrf: 'forged', reason: 'forged token' })).statusCode).toBe(403);
    expect(
      (await web.app.inject({ method: 'POST', url: '/quarantine/held-1/delete', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'reason=x' }))
        .statusCode,
    ).toBe(401);
    for (const role of ['admin', 'dsl', 'business-manager'] as const) {
      const other = await signIn(web, ACCOUNTS[role]);
      const otherToken = await other.tokenFrom('/quarantine');
      expect((await other.post('/quarantine/held-1/delete', { _csrf: otherToken, reason: 'not allowed' })).statusCode, role).toBe(403);
      expect((await other.post('/quarantine/bulk', { _csrf: otherToken, id: 'held-1', action: 'delete', reason: 'not allowed' })).statusCode, role).toBe(403);
    }
    const admin = await signIn(web, ACCOUNTS.admin);
    expect((await admin.get('/quarantine/held-1')).body).not.toContain('/delete"');
    expect((await admin.get('/quarantine')).body).not.toContain('<option value="delete">');
    expect((await web.store.quarantine.open('held-1')).status).toBe('held');

    await web.store.quarantine.decide('held-2', { status: 'rejected', actor: 'someone-else', reason: 'use initials' });
    expect((await dpo.post('/quarantine/held-2/delete', { _csrf: token, reason: 'too late' })).statusCode).toBe(409);
    expect((await web.store.quarantine.open('held-2')).status).toBe('rejected');
    expect((await humanAudit(web)).filter((entry) => entry.action === 'delete')).toEqual([]);
  });

  it('deletes in bulk, leaving messages no longer held as they were', async () => {
    await web.store.quarantine.decide('held-2', { status: 'rejected', actor: 'someone-else' });
    const dpo = await signIn(web, ACCOUNTS.dpo);
    const list = await dpo.get('/quarantine');
    expect(list.body).toContain('<option value="delete">');
    const response = await dpo.post('/quarantine/bulk', { _csrf: csrfOf(list.body), id: ['held-1', 'held-2'], action: 'delete', reason: 'sent in error; DSL informed' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('1 message; 1 no longer held');
    expect((await web.store.quarantine.find('held-1'))?.status).toBe('deleted');
    expect(await web.store.quarantine.find('held-2')).toMatchObject({ status: 'rejected', bodyDestroyed: false });
    expect(await web.mailKinds()).toEqual([]);
  });

  it('wins over a release queued before it: the release job then finds nothing held and sends nothing', async () => {
    const dpo = await signIn(web, ACCOUNTS.dpo);
    const token = await dpo.tokenFrom('/quarantine/held-1');
    expect((await dpo.post('/quarantine/held-1/release', { _csrf: token, reason: 'looked fine at first' })).statusCode).toBe(303);
    const job = await web.releaseJob('held-1');
    expect(job?.data).toMatchObject({ messageId: 'held-1' });
    expect((await dpo.post('/quarantine/held-1/delete', { _csrf: token, reason: 'it must not go: DSL informed' })).statusCode).toBe(303);

    const server = await startNextHop();
    const nextHop = smtpNextHop(server.url);
    const spool = await mkdtemp(join(tmpdir(), 'hm-delete-release-'));
    try {
      const refuse = () => Promise.reject(new Error('nothing should be encrypted'));
      await releaseHeldMessage({ store: web.store, nextHop, mail: web.mail, encrypt: refuse, spoolDirectory: spool }, { messageId: 'held-1' });
      expect(server.received).toEqual([]);
      expect((await web.store.quarantine.find('held-1'))?.status).toBe('deleted');
      expect(await web.mailKinds()).toEqual([]);
    } finally {
      await nextHop.close();
      await server.close();
      await rm(spool, { recursive: true, force: true });
    }
  });
});
