import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RuleSet } from '../../src/policy/decide.js';
import { weeklyCounts, weekRange } from '../../src/web/weekly-counts.js';
import { inventedRecord, PUPIL_NAME, SUBJECT_PHRASE, verdictEntry } from '../store/support/invented-records.js';
import { InjectedBrowser } from './support/inject-session.js';
import { ACCOUNTS, createWebSite, PASSWORD, type WebSite } from './support/web-site.js';

// Every sign-in runs scrypt at N=2^17 (a third of a second alone, seconds on a busy machine), and these tests sign several people in.
vi.setConfig({ testTimeout: 120_000 });

const NOW = new Date('2026-11-24T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;
/** The week the clock is in, as the dashboard labels it (8 weeks ending on the day after NOW). */
const THIS_WEEK = '2026-11-18';

let web: WebSite;
beforeEach(async () => {
  web = await createWebSite('sqlite', { now: () => NOW });
});
afterEach(async () => {
  await web.dispose();
});

async function signedIn(role: keyof typeof ACCOUNTS, site = web): Promise<InjectedBrowser> {
  const browser = site.browser();
  expect((await browser.signIn(ACCOUNTS[role], PASSWORD)).statusCode).toBe(303);
  return browser;
}

/** The numbers in one row of the chart with this caption, in column order. */
function chartRow(page: string, caption: string, week: string): number[] {
  const table = page.split('<table class="chart">').find((part) => part.includes(`<caption>${caption}</caption>`));
  if (!table) throw new Error(`no chart "${caption}"`);
  const row = new RegExp(`<th scope="row">${week}</th>(.*?)</tr>`).exec(table)?.[1];
  if (!row) throw new Error(`no row for ${week}`);
  return [...row.matchAll(/<span class="count">(\d+)<\/span>/g)].map((match) => Number(match[1]));
}

function chartColumns(page: string, caption: string): string[] {
  const table = page.split('<table class="chart">').find((part) => part.includes(`<caption>${caption}</caption>`))!;
  const head = /<thead>(.*?)<\/thead>/.exec(table)![1]!;
  return [...head.matchAll(/<th scope="col">([^<]*)<\/th>/g)].map((match) => match[1]!).slice(1);
}

async function humanAudit() {
  const rows = await web.site.exec(`SELECT action, actor, school_id, reason FROM audit_log WHERE kind = 'human' AND seq > ${web.setupAuditSeq} ORDER BY seq`);
  return rows.map((row) => ({ action: row.action, actor: row.actor, schoolId: row.school_id, reason: row.reason }));
}

describe('weekly counts', () => {
  it('folds days into weeks from the start of the range, keeps known keys first and ignores days outside', () => {
    const { since, until } = weekRange(NOW, 8);
    expect(since.toISOString()).toBe('2026-09-30T00:00:00.000Z');
    expect(until.toISOString()).toBe('2026-11-25T00:00:00.000Z');
    const counts = weeklyCounts(
      [
        { day: '2026-09-29', action: 'quarantine', count: 9 },
        { day: '2026-09-30', action: 'quarantine', count: 1 },
        { day: '2026-10-06', action: 'quarantine', count: 2 },
        { day: '2026-10-07', action: 'deliver', count: 3 },
        { day: '2026-11-24', action: 'brand-new', count: 4 },
        { day: '2026-11-25', action: 'deliver', count: 9 },
      ],
      since,
      8,
      ['quarantine', 'deliver'],
    );
    expect(counts.keys).toEqual(['quarantine', 'deliver', 'brand-new']);
    expect(counts.weeks[0]).toBe('2026-09-30');
    expect(counts.weeks[7]).toBe(THIS_WEEK);
    expect(counts.counts[0]).toEqual([3, 0, 0]);
    expect(counts.counts[1]).toEqual([0, 3, 0]);
    expect(counts.counts[7]).toEqual([0, 0, 4]);
    expect(counts.counts.flat().reduce((a, b) => a + b, 0)).toBe(10);
  });
});

describe('/dashboard', () => {
  it('charts verdicts and findings per week, top rules, senders who may need training and the quarantine age, with no content', async () => {
    const at = new Date(NOW.getTime() - 2 * HOUR);
    const teacherOne = 'teacher.one@stmarys-example.sch.uk';
    const teacherTwo = 'teacher.two@stmarys-example.sch.uk';
    await web.store.audit.appendAll([
      ...[1, 2, 3].map((n) => verdictEntry({ messageId: `one-${n}`, sender: teacherOne, at, action: n === 3 ? 'return' : 'quarantine' })),
      ...[1, 2].map((n) => verdictEntry({ messageId: `two-${n}`, sender: teacherTwo, at })),
      verdictEntry({ messageId: 'ok-1', action: 'deliver', ruleIds: [], categories: {}, at }),
      verdictEntry({ messageId: 'old-1', action: 'encrypt', ruleIds: ['health-external'], categories: { 'sensitive/health': 1 }, at: new Date('2026-10-01T09:00:00Z') }),
    ]);
    await web.store.quarantine.hold(inventedRecord({ id: 'fresh', receivedAt: new Date(NOW.getTime() - 2 * HOUR) }));
    await web.store.quarantine.hold(inventedRecord({ id: 'waiting', receivedAt: new Date(NOW.getTime() - 3 * 24 * HOUR) }));
    await web.store.quarantine.hold(inventedRecord({ id: 'stale-1', receivedAt: new Date(NOW.getTime() - 10 * 24 * HOUR) }));
    await web.store.quarantine.hold(inventedRecord({ id: 'stale-2', receivedAt: new Date(NOW.getTime() - 30 * 24 * HOUR) }));

    const browser = await signedIn('dpo');
    const response = await browser.get('/dashboard');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.body;

    expect(chartColumns(body, 'Verdicts per week, by action')).toEqual(['quarantine', 'return', 'encrypt', 'deliver']);
    expect(chartRow(body, 'Verdicts per week, by action', THIS_WEEK)).toEqual([4, 1, 0, 1]);
    expect(chartRow(body, 'Verdicts per week, by action', '2026-09-30')).toEqual([0, 0, 1, 0]);
    const categories = chartColumns(body, 'Findings per week, by category');
    expect(categories).toEqual(['pupil-name', 'sensitive/health']);
    const findings = chartRow(body, 'Findings per week, by category', THIS_WEEK);
    expect(findings[categories.indexOf('pupil-name')]).toBe(5);
    expect(findings[categories.indexOf('sensitive/health')]).toBe(10);

    expect(body).toMatch(/<a href="\/rules#rule-pupil-name-external">pupil-name-external<\/a><\/td><td>5<\/td>/);
    expect(body).toContain(`<td>${teacherOne}</td><td>3</td>`);
    expect(body).not.toContain(teacherTwo);
    expect(body).toMatch(/<dt>Under a day<\/dt><dd>1<\/dd>\s*<dt>1 to 7 days<\/dt><dd>1<\/dd>\s*<dt>Over 7 days<\/dt><dd>2<\/dd>/);
    expect(body).toContain('2 messages have waited over a week');

    // Bars are SVG attributes, so nothing needs an inline style the policy would block; no script either.
    expect(body).toMatch(/<svg class="bar" aria-hidden="true"[^>]*><rect width="\d+"/);
    expect(body).not.toContain('style=');
    expect(body).not.toContain('<script');
    expect(body).not.toContain(PUPIL_NAME);
    expect(body).not.toContain(SUBJECT_PHRASE);
  });

  it('counts a school term by London days, in weeks from its first day, and one school alone', async () => {
    await web.store.audit.appendAll([
      // 23:30 UTC on 31 August is 00:30 on 1 September in London: the autumn term's first day, not the summer's last.
      verdictEntry({ messageId: 'first-night', at: new Date('2026-08-31T23:30:00Z') }),
      verdictEntry({ messageId: 'first-day', schoolId: 'oak-lane-example', action: 'return', at: new Date('2026-09-01T10:00:00Z') }),
      // 23:30 UTC on 31 December is still 31 December in London (GMT): the term's last day.
      verdictEntry({ messageId: 'last-night', at: new Date('2026-12-31T23:30:00Z') }),
      verdictEntry({ messageId: 'summer', at: new Date('2026-08-31T10:00:00Z') }),
    ]);
    const browser = await signedIn('dpo');
    const autumn = (await browser.get('/dashboard?term=2026-autumn')).body;
    expect(autumn).toContain('Autumn term 2026, 2026-09-01 to 2026-12-31 (UK dates), from the audit log');
    expect(autumn).toContain('<option value="2026-autumn" selected>Autumn term 2026</option>');
    // 1 September to 31 December is 122 days: 18 weeks from the 1st, the last from 29 December.
    expect(chartRow(autumn, 'Verdicts per week, by action', '2026-09-01')).toEqual([1, 1, 0, 0]);
    expect(chartRow(autumn, 'Verdicts per week, by action', '2026-12-29')).toEqual([1, 0, 0, 0]);
    expect(autumn.match(/<th scope="row">\d{4}-\d{2}-\d{2}<\/th>/g)).toHaveLength(2 * 18);
    expect(chartRow(autumn, 'Verdicts by school, by action', 'oak-lane-example')).toEqual([0, 1, 0, 0]);
    expect(chartRow(autumn, 'Verdicts by school, by action', 'st-marys-example')).toEqual([2, 0, 0, 0]);

    const oneSchool = (await browser.get('/dashboard?term=2026-autumn&school=oak-lane-example')).body;
    expect(oneSchool).toContain('oak-lane-example only');
    expect(chartRow(oneSchool, 'Verdicts per week, by action', '2026-09-01')).toEqual([0, 1, 0, 0]);
    expect(oneSchool).not.toContain('<th scope="row">st-marys-example</th>');

    const summer = (await browser.get('/dashboard?term=2026-summer')).body;
    expect(chartRow(summer, 'Verdicts per week, by action', '2026-08-26')).toEqual([1, 0, 0, 0]);
    expect((await browser.get('/dashboard?term=2026-winter')).statusCode).toBe(400);
    expect((await browser.get('/dashboard?school=%3Cscript%3E')).statusCode).toBe(400);
  });

  it('counts change after verdicts are appended', async () => {
    const browser = await signedIn('business-manager');
    const before = await browser.get('/dashboard');
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain('No verdicts in the period.');

    await web.store.audit.append(verdictEntry({ messageId: 'a', at: new Date(NOW.getTime() - HOUR) }));
    const once = await browser.get('/dashboard');
    expect(chartRow(once.body, 'Verdicts per week, by action', THIS_WEEK)).toEqual([1, 0, 0, 0]);

    await web.store.audit.appendAll([
      verdictEntry({ messageId: 'b', action: 'return', at: new Date(NOW.getTime() - HOUR) }),
      verdictEntry({ messageId: 'c', action: 'quarantine', at: new Date(NOW.getTime() - 8 * 24 * HOUR) }),
    ]);
    const twice = await browser.get('/dashboard');
    expect(chartRow(twice.body, 'Verdicts per week, by action', THIS_WEEK)).toEqual([1, 1, 0, 0]);
    expect(chartRow(twice.body, 'Verdicts per week, by action', '2026-11-11')).toEqual([1, 0, 0, 0]);
  });

  it('is open to the DSL and the admin, and sends a visitor without a session to sign in', async () => {
    expect((await (await signedIn('dsl')).get('/dashboard')).statusCode).toBe(200);
    expect((await (await signedIn('admin')).get('/dashboard')).statusCode).toBe(200);
    const anonymous = await web.app.inject({ url: '/dashboard' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/sign-in');
  });
});

describe('/register', () => {
  beforeEach(async () => {
    await web.store.audit.appendAll([
      verdictEntry({ messageId: 'r-1', at: new Date('2026-11-02T09:00:00Z'), recipientDomains: ['example.org'] }),
      verdictEntry({
        messageId: 'r-2',
        action: 'return',
        schoolId: 'oak-lane-example',
        sender: 'head@oaklane-example.sch.uk',
        at: new Date('2026-11-10T09:00:00Z'),
        recipientDomains: ['example.net'],
      }),
      verdictEntry({ messageId: 'r-3', at: new Date('2026-11-20T09:00:00Z'), sender: '=cmd@stmarys-example.sch.uk' }),
      verdictEntry({ messageId: 'd-1', action: 'deliver', ruleIds: [], categories: {}, at: new Date('2026-11-21T09:00:00Z') }),
    ]);
  });

  it('lists the held and returned messages with ICO types, and filters by date', async () => {
    const browser = await signedIn('dpo');
    const all = await browser.get('/register');
    expect(all.statusCode).toBe(200);
    expect(all.headers['cache-control']).toBe('no-store');
    expect(all.body).toContain('<h2>3 incidents</h2>');
    expect(all.body).toContain('head@oaklane-example.sch.uk');
    expect(all.body).toContain('pupil-name (1), sensitive/health (2)');
    expect(all.body).toContain('<td>Unencrypted special-category data<br><span class="muted">also: Failure to redact</span></td>');
    expect(all.body).not.toContain('msg-1');
    expect(all.body).toContain('2026-11-10 09:00');
    expect(all.body).toContain('href="/register.csv"');

    const some = await browser.get('/register?since=2026-11-05&until=2026-11-10');
    expect(some.body).toContain('<h2>1 incident</h2>');
    expect(some.body).toContain('head@oaklane-example.sch.uk');
    expect(some.body).not.toContain('2026-11-02 09:00');
    expect(some.body).toMatch(/href="\/register\.csv\?since=2026-11-05&(amp|#38);until=2026-11-10"/);
    expect(some.body).toContain('value="2026-11-05"');

    expect((await browser.get('/register?since=yesterday')).statusCode).toBe(400);
  });

  it('downloads the same rows as CSV, attached and not cached, and audits the export once per school', async () => {
    const browser = await signedIn('business-manager');
    const response = await browser.get('/register.csv?since=2026-11-05');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-disposition']).toBe('attachment; filename="near-miss-register-2026-11-05.csv"');
    const lines = response.body.trim().split('\n');
    expect(lines[0]).toMatch(/^Date \(UTC\),School,Incident type/);
    expect(lines).toHaveLength(3);
    expect(response.body).toContain('head@oaklane-example.sch.uk');
    // A sender that a spreadsheet would run as a formula is neutralised (incidentsCsv).
    expect(response.body).toContain("'=cmd@stmarys-example.sch.uk");
    expect(response.body).not.toContain('r-1');

    expect(await humanAudit()).toEqual([
      { action: 'export', actor: ACCOUNTS['business-manager'], schoolId: 'oak-lane-example', reason: 'near-miss register CSV, 2 rows from 2026-11-05' },
      { action: 'export', actor: ACCOUNTS['business-manager'], schoolId: 'st-marys-example', reason: 'near-miss register CSV, 2 rows from 2026-11-05' },
    ]);
  });

  it('refuses the DSL (403) and a visitor without a session, and writes nothing', async () => {
    const dsl = await signedIn('dsl');
    expect((await dsl.get('/register')).statusCode).toBe(403);
    const csv = await dsl.get('/register.csv');
    expect(csv.statusCode).toBe(403);
    expect(csv.body).not.toContain('oaklane');
    const anonymous = await web.app.inject({ url: '/register.csv' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/sign-in');
    expect(await humanAudit()).toEqual([]);
  });
});

describe('/rules', () => {
  it('shows the shipped rules to every role when the gateway gave none, and says so', async () => {
    for (const role of ['dpo', 'admin', 'dsl', 'business-manager'] as const) {
      const response = await (await signedIn(role)).get('/rules');
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('These are the rules Hallmonitor ships with.');
      expect(response.body).toMatch(/<tr id="rule-[a-z0-9-]+">/);
    }
    expect((await web.app.inject({ url: '/rules' })).statusCode).toBe(303);
  });

  it("shows each school's rules from the ruleSets option, read at every request", async () => {
    let ruleSets = new Map<string, RuleSet>([
      [
        'st-marys-example',
        {
          rules: [
            {
              id: 'invented-rule',
              description: 'An invented rule <b>for tests</b>',
              clause: 'Invented policy 1.2',
              reason: 'invented',
              when: { finding: { category: ['pupil-name'], 'min-count': 2 } },
              action: 'quarantine',
              notify: [{ to: 'dpo', level: 'immediate' }],
            },
          ],
        },
      ],
    ]);
    const site = await createWebSite('sqlite', { now: () => NOW, ruleSets: () => ruleSets });
    try {
      const browser = await signedIn('dsl', site);
      const response = await browser.get('/rules');
      expect(response.statusCode).toBe(200);
      expect(response.body).not.toContain('ships with');
      expect(response.body).toContain('School: st-marys-example');
      expect(response.body).toContain('<th scope="row">invented-rule</th>');
      expect(response.body).toContain('An invented rule &#60;b&#62;for tests&#60;/b&#62;');
      expect(response.body).toContain('at least 2 of pupil-name');
      expect(response.body).toContain('Invented policy 1.2');
      expect(response.body).toContain('dpo (immediate)');

      ruleSets = new Map([['st-marys-example', { rules: [] }]]);
      expect((await browser.get('/rules')).body).toContain('No rules: every message is delivered.');
    } finally {
      await site.dispose();
    }
  });
});

describe('navigation', () => {
  it('links only the pages the role may open', async () => {
    const nav = async (role: keyof typeof ACCOUNTS) => /<nav aria-label="Account">(.*?)<span>/s.exec((await (await signedIn(role)).get('/rules')).body)![1]!;
    expect(await nav('dpo')).toMatch(/Quarantine.*Dashboard.*Register.*Rules/s);
    expect(await nav('business-manager')).toMatch(/Quarantine.*Dashboard.*Register.*Rules/s);
    const dsl = await nav('dsl');
    expect(dsl).toContain('href="/dashboard"');
    expect(dsl).toContain('href="/rules"');
    expect(dsl).not.toContain('href="/register"');
  });
});

describe('on PostgreSQL', () => {
  it('counts the same per week and lists the same register', async () => {
    const pg = await createWebSite('postgres', { now: () => NOW });
    try {
      await pg.store.audit.appendAll([
        verdictEntry({ messageId: 'p-1', at: new Date(NOW.getTime() - HOUR) }),
        verdictEntry({ messageId: 'p-2', action: 'deliver', ruleIds: [], categories: {}, at: new Date(NOW.getTime() - HOUR) }),
      ]);
      const browser = await signedIn('dpo', pg);
      expect(chartRow((await browser.get('/dashboard')).body, 'Verdicts per week, by action', THIS_WEEK)).toEqual([1, 0, 0, 1]);
      expect((await browser.get('/register')).body).toContain('<h2>1 incident</h2>');
      expect((await browser.get('/register.csv')).body.trim().split('\n')).toHaveLength(2);
    } finally {
      await pg.dispose();
    }
  });
});
