import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RuleSet } from '../../src/policy/decide.js';
import { hashPassword } from '../../src/smtp/password-hash.js';
import { BODY_PHRASE, inventedRaw, inventedRecord, PUPIL_NAME, SUBJECT_PHRASE, verdictEntry } from '../store/support/invented-records.js';
import { csrfOf, type InjectedBrowser, isSignedIn } from './support/inject-session.js';
import { ACCOUNTS, createWebSite, PASSWORD, type WebSite } from './support/web-site.js';

// Sign-ins run scrypt at N=2^17: each person signs in once for the whole file.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const NOW = new Date('2026-11-24T12:00:00.000Z');
const SCHOOL = { a: 'school-a-example', b: 'school-b-example' } as const;
const TEACHER = 'teacher.one@school-a-example.sch.uk';
const OTHER_TEACHER = 'teacher@school-b-example.sch.uk';
const SCHOOL_A_DPO = 'dpo@school-a-example.sch.uk';

/** Rules whose conditions say which categories each reads: a false positive counts against the right one. */
const RULES: RuleSet = {
  rules: [
    {
      id: 'pupil-name-external',
      description: 'A pupil named to outsiders',
      clause: 'Invented policy 2.1',
      reason: 'invented',
      when: { finding: { category: ['pupil-name'] } },
      action: 'quarantine',
      notify: [],
    },
    {
      id: 'health-external',
      description: 'Health data to outsiders',
      clause: 'Invented policy 2.2',
      reason: 'invented',
      when: { finding: { category: ['sensitive/*'] } },
      action: 'encrypt',
      notify: [],
    },
    {
      id: 'profanity',
      description: 'Swearing',
      clause: 'Invented policy 4.2',
      reason: 'invented',
      when: { finding: { category: ['language/profanity'] } },
      action: 'return',
      notify: [],
    },
  ],
};

let web: WebSite;
const people: Partial<Record<'dpo' | 'schoolDpo' | 'dsl' | 'businessManager', InjectedBrowser>> = {};

/**
 * A trust's history: school A's clean mail, findings delivered, encrypted mail late on a summer evening (the next
 * day in London), a returned message its sender overrode, a held one released; school B's encrypted mail; and
 * 60 more encrypted messages of school A for the pages.
 */
async function history(): Promise<void> {
  const { store } = web;
  await store.audit.appendAll([
    verdictEntry({ messageId: 'clean', schoolId: SCHOOL.a, action: 'deliver', ruleIds: [], categories: {}, sender: TEACHER, at: new Date('2026-11-02T10:00:00Z') }),
    verdictEntry({
      messageId: 'noted',
      schoolId: SCHOOL.a,
      action: 'deliver',
      ruleIds: [],
      categories: { 'person-name': 1 },
      sender: TEACHER,
      at: new Date('2026-11-03T10:00:00Z'),
    }),
    // 23:30 UTC on 10 October is 00:30 on 11 October in London (British Summer Time).
    verdictEntry({
      messageId: 'late',
      schoolId: SCHOOL.a,
      action: 'encrypt',
      ruleIds: ['health-external'],
      categories: { 'sensitive/health': 1 },
      sender: TEACHER,
      at: new Date('2026-10-10T23:30:00Z'),
    }),
    verdictEntry({
      messageId: 'theirs',
      schoolId: SCHOOL.b,
      action: 'encrypt',
      ruleIds: ['health-external'],
      categories: { 'sensitive/health': 1 },
      sender: OTHER_TEACHER,
      at: new Date('2026-11-04T10:00:00Z'),
    }),
    ...Array.from({ length: 60 }, (_, n) =>
      verdictEntry({
        messageId: `bulk-${n}`,
        schoolId: SCHOOL.a,
        action: 'encrypt',
        ruleIds: ['health-external'],
        categories: { 'sensitive/health': 1 },
        sender: 'teacher.two@school-a-example.sch.uk',
        at: new Date(Date.UTC(2026, 8, 10, 9, n)),
      }),
    ),
  ]);
  await store.returned.keep(
    {
      id: 'sworn',
      schoolId: SCHOOL.a,
      receivedAt: new Date('2026-11-05T10:00:00Z'),
      envelope: { mailFrom: TEACHER, rcptTo: ['parent@example.org'] },
      raw: inventedRaw(),
      ruleIds: ['profanity'],
      returnedBy: ['profanity'],
      overridable: true,
      encrypt: false,
      expiresAt: new Date('2026-11-08T10:00:00Z'),
      notice: { reasons: [], found: [], moveToBcc: [], suggestSecure: false },
    },
    verdictEntry({
      schoolId: SCHOOL.a,
      action: 'return',
      replyCode: 550,
      ruleIds: ['profanity'],
      categories: { 'language/profanity': 1 },
      sender: TEACHER,
      at: new Date('2026-11-05T10:00:00Z'),
    }),
  );
  await store.returned.claimOverride('sworn', new Date('2026-11-06T10:00:00Z'));
  await store.returned.finishOverride('sworn', { delivered: true, justification: 'a false alarm', at: new Date('2026-11-06T10:00:00Z'), how: 'as sent' });
  await store.quarantine.hold(
    inventedRecord({ id: 'held', schoolId: SCHOOL.a, receivedAt: new Date('2026-11-20T10:00:00Z') }),
    verdictEntry({ schoolId: SCHOOL.a, ruleIds: ['pupil-name-external', 'health-external'], sender: TEACHER, at: new Date('2026-11-20T10:00:00Z') }),
  );
  await store.quarantine.hold(
    inventedRecord({ id: 'still-held', schoolId: SCHOOL.a, receivedAt: new Date('2026-11-21T10:00:00Z') }),
    verdictEntry({ schoolId: SCHOOL.a, messageId: 'still-held', ruleIds: ['pupil-name-external', 'health-external'], sender: TEACHER, at: new Date('2026-11-21T10:00:00Z') }),
  );
  await store.quarantine.requestRelease('held', { actor: ACCOUNTS.dpo, encrypt: false, reason: 'entitled', at: new Date('2026-11-21T09:00:00Z') });
  const claim = await store.quarantine.claimRelease('held');
  await store.quarantine.finishRelease('held', { delivered: true, claim: claim!, at: new Date('2026-11-21T09:05:00Z') });
}

async function signIn(email: string): Promise<InjectedBrowser> {
  const browser = web.browser();
  expect(isSignedIn(await browser.signIn(email, PASSWORD))).toBe(true);
  return browser;
}

/** The message ids of the lines on a page, in order, with what happened. */
function lines(page: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(page)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => {
    const cells = [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]!);
    return `${cells[0]!.replace(/<[^>]+>/g, '')} ${cells[3]!.replace(/<br>[\s\S]*/, '')}`;
  });
}

async function humanAudit(action: string) {
  return web.site.exec(`SELECT actor, school_id, message_id, reason FROM audit_log WHERE kind = 'human' AND action = '${action}' AND seq > ${web.setupAuditSeq} ORDER BY seq`);
}

beforeAll(async () => {
  web = await createWebSite('postgres', {
    now: () => NOW,
    ruleSets: () =>
      new Map([
        [SCHOOL.a, RULES],
        [SCHOOL.b, RULES],
      ]),
  });
  await web.store.users.add({ email: SCHOOL_A_DPO, role: 'dpo', passwordHash: await hashPassword(PASSWORD), schools: [SCHOOL.a] });
  await history();
  people.dpo = await signIn(ACCOUNTS.dpo);
  people.schoolDpo = await signIn(SCHOOL_A_DPO);
  people.dsl = await signIn(ACCOUNTS.dsl);
  people.businessManager = await signIn(ACCOUNTS['business-manager']);
});
afterAll(async () => {
  await web?.dispose();
});

describe('the activity explorer', () => {
  it('lists every verdict that found something, every override and release, newest first in UK time, and leaves clean mail and content out', async () => {
    const page = await people.dpo!.get('/activity');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<h2>68 lines</h2>');
    expect(lines(page.body).slice(0, 7)).toEqual([
      '2026-11-21 10:00 held for review',
      '2026-11-21 09:05 released from the quarantine',
      '2026-11-20 10:00 held for review',
      '2026-11-06 10:00 sent as it was by its sender',
      '2026-11-05 10:00 returned to the sender',
      '2026-11-04 10:00 sent encrypted',
      '2026-11-03 10:00 delivered, with findings',
    ]);
    expect(page.body).toContain(`by ${ACCOUNTS.dpo}`);
    expect(page.body).not.toContain('>clean<');
    for (const content of [PUPIL_NAME, SUBJECT_PHRASE, BODY_PHRASE]) expect(page.body).not.toContain(content);
    // History a click away: a school's by a link, a sender's by a posted form (an address never goes in a URL).
    expect(page.body).toContain(`<a href="/activity?school=${SCHOOL.b}">`);
    expect(page.body).toContain(`<a href="/activity?rule=profanity">profanity</a>`);
    expect(page.body).toContain(`<input type="hidden" name="sender" value="${TEACHER}">`);
    expect(page.body).toContain('<a href="/quarantine/still-held">');
  });

  it('filters by school, action, category, rule and London dates in the URL, and pages the rest', async () => {
    const get = async (query: string) => lines((await people.dpo!.get(`/activity${query}`)).body);
    expect(await get(`?school=${SCHOOL.b}`)).toEqual(['2026-11-04 10:00 sent encrypted']);
    expect(await get('?action=override')).toEqual(['2026-11-06 10:00 sent as it was by its sender']);
    expect(await get('?rule=profanity')).toEqual(['2026-11-06 10:00 sent as it was by its sender', '2026-11-05 10:00 returned to the sender']);
    expect(await get('?category=person-name')).toEqual(['2026-11-03 10:00 delivered, with findings']);
    expect(await get('?since=2026-10-11&until=2026-10-11')).toEqual(['2026-10-11 00:30 sent encrypted']);
    expect(await get('?since=2026-10-10&until=2026-10-10')).toEqual([]);
    const second = await people.dpo!.get(`/activity?school=${SCHOOL.a}&action=encrypt&page=2`);
    expect(second.body).toContain('<h2>61 lines</h2>');
    expect(lines(second.body)).toHaveLength(11);
    expect(second.body).toContain(`Page 2 of 2`);
    expect(second.body).toContain(`<a href="/activity?school=${SCHOOL.a}&#38;action=encrypt">Newer</a>`);
    expect((await people.dpo!.get('/activity?action=nonsense')).statusCode).toBe(400);
    expect((await people.dpo!.get('/activity?since=2026-02-30')).statusCode).toBe(400);
  });

  it("finds a sender's history by posting the address, with the other filters kept, and pages it by posting too", async () => {
    const token = await people.dpo!.tokenFrom('/activity');
    const history = await people.dpo!.post('/activity/search', { _csrf: token, sender: TEACHER.toUpperCase(), action: 'encrypt' });
    expect(history.statusCode).toBe(200);
    expect(lines(history.body)).toEqual(['2026-10-11 00:30 sent encrypted']);
    const bulk = await people.dpo!.post('/activity/search', { _csrf: token, sender: 'teacher.two@school-a-example.sch.uk', page: '2' });
    expect(lines(bulk.body)).toHaveLength(10);
    expect(bulk.body).toContain('<button type="submit" name="page" value="1" class="link">Newer</button>');
    expect((await people.dpo!.post('/activity/search', { sender: TEACHER })).statusCode).toBe(403);
    expect(web.served.filter((url) => url.includes('%40') || url.includes('@'))).toEqual([]);
  });

  it('exports the same lines as CSV, sender filter posted, and records each export in the audit log', async () => {
    const csv = await people.dpo!.get(`/activity.csv?rule=profanity`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="activity-2026-11-24.csv"');
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => [row.Action, row.By, row.Sender, row.Rules, row['Finding categories'], row['Message id']])).toEqual([
      ['override', TEACHER, TEACHER, 'profanity', 'language/profanity (1)', 'sworn'],
      ['return', '', TEACHER, 'profanity', 'language/profanity (1)', 'sworn'],
    ]);
    const posted = await people.dpo!.post('/activity.csv', { _csrf: await people.dpo!.tokenFrom('/activity'), sender: OTHER_TEACHER });
    expect((parse(posted.body, { columns: true }) as Record<string, string>[]).map((row) => row['Message id'])).toEqual(['theirs']);
    const exports = await humanAudit('export');
    expect(exports.slice(-2)).toEqual([
      { actor: ACCOUNTS.dpo, school_id: SCHOOL.a, message_id: null, reason: 'activity CSV, 2 lines (profanity)' },
      { actor: ACCOUNTS.dpo, school_id: SCHOOL.b, message_id: null, reason: 'activity CSV, 1 line (one sender)' },
    ]);
  });

  it("shows a school's DPO their schools only: another school's lines are not listed, exported or markable", async () => {
    const page = await people.schoolDpo!.get('/activity');
    expect(page.body).toContain('<h2>67 lines</h2>');
    expect(page.body).not.toContain(SCHOOL.b);
    expect(lines((await people.schoolDpo!.get(`/activity?school=${SCHOOL.b}`)).body)).toEqual([]);
    const csv = await people.schoolDpo!.get(`/activity.csv?school=${SCHOOL.b}`);
    expect(parse(csv.body, { columns: true })).toEqual([]);
    const theirs = await web.store.activity.verdictOf('theirs');
    const marked = await people.schoolDpo!.post(`/activity/${theirs!.seq}/false-positive`, {
      _csrf: await people.schoolDpo!.tokenFrom('/activity'),
      finding: 'sensitive/health',
      reason: 'not ours',
    });
    expect(marked.statusCode).toBe(404);
    expect(await humanAudit('false-positive')).toEqual([]);
  });

  it('gives the Business Manager and the DSL the lines without the marking forms; only the readers get the held message', async () => {
    const manager = await people.businessManager!.get('/activity');
    expect(manager.statusCode).toBe(200);
    expect(manager.body).not.toContain('href="/quarantine/');
    expect(manager.body).not.toContain('false-positive');
    expect(manager.body).not.toContain('href="/tuning"');
    const dsl = await people.dsl!.get('/activity');
    expect(dsl.body).toContain('<a href="/quarantine/still-held">');
    expect(dsl.body).not.toContain('false-positive');
    const line = await web.store.activity.verdictOf('late');
    expect(
      (await people.dsl!.post(`/activity/${line!.seq}/false-positive`, { _csrf: await people.dsl!.tokenFrom('/activity'), finding: 'sensitive/health', reason: 'x' })).statusCode,
    ).toBe(403);
    expect((await people.businessManager!.get('/tuning')).statusCode).toBe(403);
    expect((await people.dsl!.get('/tuning.csv')).statusCode).toBe(403);
  });
});

describe('false positives and the tuning report', () => {
  it('marks findings from the explorer and from a held message, audited, and reports them per school, rule, category and term over a school term', async () => {
    const dpo = people.dpo!;
    const late = await web.store.activity.verdictOf('late');
    const fromList = await dpo.post(`/activity/${late!.seq}/false-positive`, {
      _csrf: await dpo.tokenFrom('/activity'),
      finding: 'sensitive/health',
      reason: 'a first-aid course',
      action: 'encrypt',
    });
    expect(fromList.statusCode).toBe(303);
    expect(fromList.headers.location).toBe('/activity?action=encrypt&done=false-positive');
    const again = await dpo.post(`/activity/${late!.seq}/false-positive`, { _csrf: await dpo.tokenFrom('/activity'), finding: 'sensitive/health', reason: 'again' });
    expect(again.statusCode).toBe(409);
    expect(
      (await dpo.post(`/activity/${late!.seq}/false-positive`, { _csrf: await dpo.tokenFrom('/activity'), finding: 'pupil-name', reason: 'not a finding of it' })).statusCode,
    ).toBe(400);
    expect((await dpo.post(`/activity/${late!.seq}/false-positive`, { _csrf: await dpo.tokenFrom('/activity'), finding: 'sensitive/health' })).statusCode).toBe(400);
    const listed = await dpo.get('/activity?action=encrypt&done=false-positive');
    expect(listed.body).toContain('Marked as a false positive');
    expect(listed.body).toContain('sensitive/health (1) <strong class="flag">false positive</strong>');

    // On the held message: each finding has its form; the health finding (index 1) keeps its term, the name never would.
    const message = await dpo.get('/quarantine/still-held');
    expect(message.body).toContain('action="/quarantine/still-held/false-positive"');
    const fromMessage = await dpo.post('/quarantine/still-held/false-positive', { _csrf: csrfOf(message.body), finding: '1', reason: 'asthma of a staff member, not a pupil' });
    expect(fromMessage.statusCode).toBe(303);
    expect(fromMessage.headers.location).toBe('/quarantine/still-held?done=false-positive');
    const reread = await dpo.get('/quarantine/still-held?done=false-positive');
    expect(reread.body).toContain('sensitive/health <strong class="flag">false positive</strong>');
    expect(await dpo.post('/quarantine/still-held/false-positive', { _csrf: csrfOf(message.body), finding: '0', reason: 'a namesake' }).then((answer) => answer.statusCode)).toBe(
      303,
    );

    expect((await humanAudit('false-positive')).map((entry) => [entry.message_id, entry.reason])).toEqual([
      ['late', 'sensitive/health (health-external): a first-aid course'],
      ['still-held', 'sensitive/health "asthma" (health-external): asthma of a staff member, not a pupil'],
      ['still-held', `pupil-name (pupil-name-external): a namesake`],
    ]);

    const report = await dpo.get('/tuning?term=2026-autumn');
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain('Autumn term 2026 (2026-09-01 to 2026-12-31, UK dates)');
    expect(report.body).toMatch(/<td>school-a-example<\/td><td><a href="[^"]*">health-external<\/a><\/td><td>2<\/td><td>63<\/td><td>3%<\/td>/);
    expect(report.body).toContain('<td>school-a-example</td><td>sensitive/health</td><td>asthma</td><td>1</td>');
    expect(report.body).not.toContain(PUPIL_NAME);
    expect((await dpo.get('/tuning?term=2026-summer')).body).toContain('No false positives marked in this term.');
    expect((await dpo.get('/tuning?term=autumn')).statusCode).toBe(400);

    const csv = parse((await dpo.get('/tuning.csv?term=2026-autumn')).body, { columns: true }) as Record<string, string>[];
    expect(csv.filter((row) => row.By === 'rule').map((row) => [row.School, row.Rule, row['False positives'], row['Verdicts the rule fired in']])).toEqual([
      [SCHOOL.a, 'health-external', '2', '63'],
      [SCHOOL.a, 'pupil-name-external', '1', '2'],
    ]);
    expect(csv.filter((row) => row.By === 'term').map((row) => row['Matched term'])).toEqual(['asthma']);
    // A school's DPO sees their school's report; another school's is empty for them.
    expect((await people.schoolDpo!.get(`/tuning?term=2026-autumn&school=${SCHOOL.b}`)).body).toContain('No false positives marked in this term.');
  });
});
