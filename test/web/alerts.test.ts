import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/policy/verdict.js';
import { inboxEntriesFor } from '../../src/queue/alerts.js';
import { HEALTH_FINDING, inventedRecord, PUPIL_FINDING, PUPIL_NAME, SUBJECT_PHRASE } from '../store/support/invented-records.js';
import { InjectedBrowser } from './support/inject-session.js';
import { ACCOUNTS, createWebSite, PASSWORD, TEST_HASHING, type WebSite } from './support/web-site.js';

const SCHOOL = 'st-marys-example';
const NOBODY = { 'business-manager': [], dpo: [], dsl: [] } as const;
const SENDER = 'teacher.one@stmarys-example.sch.uk';

/** Held: the DSL is alerted now, the Business Manager in the digest; the DPO by a second rule. */
const HELD: Verdict = {
  action: 'quarantine',
  findings: [PUPIL_FINDING, HEALTH_FINDING],
  rules: [
    {
      id: 'safeguarding-outside-dsl',
      action: 'quarantine',
      description: 'Safeguarding details leaving the school',
      clause: 'KCSIE: shared by the DSL',
      reason: 'held',
      findings: [PUPIL_FINDING, HEALTH_FINDING],
    },
    { id: 'pupil-data-to-personal-webmail', action: 'quarantine', description: 'Pupil data to personal webmail', clause: 'AUP 4.2', reason: 'held', findings: [PUPIL_FINDING] },
  ],
  notifications: [
    { to: 'dsl', level: 'immediate', ruleId: 'safeguarding-outside-dsl' },
    { to: 'dpo', level: 'immediate', ruleId: 'pupil-data-to-personal-webmail' },
    { to: 'business-manager', level: 'digest', ruleId: 'pupil-data-to-personal-webmail' },
  ],
};

/** Returned for a slur: the Business Manager only. */
const RETURNED: Verdict = {
  action: 'return',
  findings: [],
  rules: [{ id: 'slur', action: 'return', description: 'Discriminatory or abusive language', clause: 'AUP 4.2: language must not be abusive', reason: 'returned', findings: [] }],
  notifications: [{ to: 'business-manager', level: 'immediate', ruleId: 'slur' }],
};

let web: WebSite;
beforeEach(async () => {
  web = await createWebSite();
  await web.store.quarantine.hold(inventedRecord({ id: 'held-1' }));
  const facts = (messageId: string, schoolId = SCHOOL, receivedAt = new Date('2026-11-20T10:00:00.000Z')) => ({
    school: { id: schoolId },
    messageId,
    receivedAt,
    sender: SENDER,
    recipients: ['someone@webmail.example'],
    reviewBaseUrl: 'http://127.0.0.1',
  });
  await web.store.alertInbox.record(inboxEntriesFor(HELD, facts('held-1'), { ...NOBODY, dpo: ['dpo@stmarys-example.sch.uk'] }));
  await web.store.alertInbox.record(inboxEntriesFor(RETURNED, facts('returned-1', SCHOOL, new Date('2026-11-21T09:00:00.000Z')), NOBODY));
  await web.store.alertInbox.record(inboxEntriesFor(RETURNED, facts('returned-2', 'oak-lane-example'), NOBODY));
});
afterEach(async () => {
  await web.dispose();
});

async function signedIn(email: string): Promise<InjectedBrowser> {
  const browser = web.browser();
  expect((await browser.signIn(email, PASSWORD)).statusCode).toBe(303);
  return browser;
}

/** The ids of the alerts listed on a page, in order. */
function listed(page: string): string[] {
  return [...page.matchAll(/<tr id="([^"]+)">/g)].map((match) => match[1]!);
}

async function humanAudit() {
  const rows = await web.site.exec(`SELECT action, actor, message_id, reason FROM audit_log WHERE kind = 'human' AND seq > ${web.setupAuditSeq} ORDER BY seq`);
  return rows.map((row) => ({ action: row.action, actor: row.actor, messageId: row.message_id, reason: row.reason }));
}

describe('the alerts inbox', () => {
  it('shows the Business Manager their alerts and not the DSL’s, with rules, clause, counts, action, sender and domains, and no content', async () => {
    const bursar = await signedIn(ACCOUNTS['business-manager']);
    const response = await bursar.get('/alerts');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const page = response.body;
    // Newest first; two received at the same time in id order.
    expect(listed(page)).toEqual(['alert.returned-1.business-manager', 'alert.held-1.business-manager', 'alert.returned-2.business-manager']);
    expect(page).toContain('<a href="/alerts">Alerts (3 open)</a>');
    expect(page).not.toContain('safeguarding-outside-dsl');
    expect(page).toContain('pupil-data-to-personal-webmail');
    expect(page).toContain('AUP 4.2: language must not be abusive');
    expect(page).toContain('pupil-name ×1');
    expect(page).toContain('returned to the sender with advice; not sent');
    expect(page).toContain(SENDER);
    expect(page).toContain(`From ${SENDER} to webmail.example (1 recipient)`);
    expect(page).toContain('In the daily digest; no alert email');
    expect(page).toContain('Not emailed: no address is configured for this role');
    // The Business Manager may not read held messages, so no link to one.
    expect(page).not.toContain('/quarantine/held-1');
    for (const secret of [PUPIL_NAME, SUBJECT_PHRASE, 'asthma', 'A123456789012']) expect(page).not.toContain(secret);
    expect(page).toMatch(/<caption class="skip">Alerts for the Business Manager<\/caption>/);
    expect(page).toMatch(/<th scope="col">Rules and what they found<\/th>/);
    expect(page).toMatch(/<label for="note">/);
  });

  it('shows the DSL their alerts with a link to the held message, and no role filter', async () => {
    const dsl = await signedIn(ACCOUNTS.dsl);
    const page = (await dsl.get('/alerts')).body;
    expect(listed(page)).toEqual(['alert.held-1.dsl']);
    expect(page).toContain('<a href="/quarantine/held-1">Open the held message</a>');
    expect(page).not.toContain('id="role"');
    expect((await dsl.get('/alerts?role=business-manager')).statusCode).toBe(400);
  });

  it('shows the DPO every role’s alerts, filtered by role and status on request', async () => {
    const dpo = await signedIn(ACCOUNTS.dpo);
    const all = (await dpo.get('/alerts')).body;
    expect(listed(all)).toHaveLength(5);
    expect(all).toContain('<a href="/alerts">Alerts (5 open)</a>');
    expect(all).toContain('Alert emailed');
    expect(listed((await dpo.get('/alerts?role=dsl')).body)).toEqual(['alert.held-1.dsl']);
    expect(listed((await dpo.get('/alerts?role=dpo&status=acknowledged')).body)).toEqual([]);
    expect((await dpo.get('/alerts?status=closed')).statusCode).toBe(400);
  });

  it('keeps a school’s Business Manager to their school', async () => {
    await web.store.users.add({
      email: 'bursar@oak-lane-example.sch.uk',
      role: 'business-manager',
      passwordHash: await TEST_HASHING.hash(PASSWORD),
      schools: ['oak-lane-example'],
    });
    const bursar = await signedIn('bursar@oak-lane-example.sch.uk');
    const page = (await bursar.get('/alerts')).body;
    expect(listed(page)).toEqual(['alert.returned-2.business-manager']);
    expect((await bursar.post('/alerts/alert.returned-1.business-manager/acknowledge', { _csrf: await bursar.tokenFrom('/alerts') })).statusCode).toBe(404);
  });

  it('acknowledges one alert with a note, audited; twice is a conflict; another role’s alert is not found', async () => {
    const bursar = await signedIn(ACCOUNTS['business-manager']);
    const token = await bursar.tokenFrom('/alerts');
    const done = await bursar.post('/alerts/alert.returned-1.business-manager/acknowledge', { _csrf: token, note: 'Spoke to the teacher' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/alerts?acknowledged=1');
    const page = (await bursar.get('/alerts?acknowledged=1')).body;
    expect(page).toContain('Acknowledged 1 alert. It is recorded in the audit log.');
    expect(page).toContain('<a href="/alerts">Alerts (2 open)</a>');
    expect(page).toContain(`Acknowledged by ${ACCOUNTS['business-manager']} at`);
    expect(page).toContain('Spoke to the teacher');
    // Still listed, after the open ones.
    expect(listed(page).at(-1)).toBe('alert.returned-1.business-manager');
    expect(await humanAudit()).toEqual([
      { action: 'acknowledge', actor: ACCOUNTS['business-manager'], messageId: 'returned-1', reason: 'business-manager alert acknowledged: Spoke to the teacher' },
    ]);

    expect((await bursar.post('/alerts/alert.returned-1.business-manager/acknowledge', { _csrf: token })).statusCode).toBe(409);
    expect((await bursar.post('/alerts/alert.held-1.dsl/acknowledge', { _csrf: token })).statusCode).toBe(404);
    expect((await web.store.alertInbox.get('alert.held-1.dsl'))?.status).toBe('open');
  });

  it('acknowledges the ticked alerts at once, leaving those already acknowledged as they were', async () => {
    const dpo = await signedIn(ACCOUNTS.dpo);
    const token = await dpo.tokenFrom('/alerts');
    await dpo.post('/alerts/alert.held-1.dpo/acknowledge', { _csrf: token });
    const response = await dpo.post('/alerts/acknowledge', { _csrf: token, id: ['alert.held-1.dpo', 'alert.held-1.dsl', 'alert.returned-2.business-manager'], note: 'Reviewed' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/alerts?acknowledged=2&skipped=1');
    expect((await dpo.get(response.headers.location!)).body).toContain('Acknowledged 2 alerts; 1 already acknowledged or not yours, left as they were.');
    expect((await humanAudit()).map((entry) => entry.reason)).toEqual([
      'dpo alert acknowledged',
      'dsl alert acknowledged: Reviewed',
      'business-manager alert acknowledged: Reviewed',
    ]);
    expect(await web.store.alertInbox.count({ status: 'open' })).toBe(2);
    expect((await dpo.post('/alerts/acknowledge', { _csrf: token })).statusCode).toBe(400);
  });

  it('needs a session and the form token to acknowledge', async () => {
    const anonymous = await web.app.inject({
      method: 'POST',
      url: '/alerts/alert.held-1.dsl/acknowledge',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(anonymous.statusCode).toBe(401);
    expect((await web.app.inject({ url: '/alerts' })).headers.location).toBe('/sign-in');
    const dsl = await signedIn(ACCOUNTS.dsl);
    expect((await dsl.post('/alerts/alert.held-1.dsl/acknowledge', {})).statusCode).toBe(403);
    expect((await dsl.post('/alerts/alert.held-1.dsl/acknowledge', { _csrf: 'forged' })).statusCode).toBe(403);
    expect((await dsl.post('/alerts/acknowledge', { id: 'alert.held-1.dsl' })).statusCode).toBe(403);
    expect((await web.store.alertInbox.get('alert.held-1.dsl'))?.status).toBe('open');
    expect(await humanAudit()).toEqual([]);
  });

  it('shows the open count in the bar of the other pages too', async () => {
    const dsl = await signedIn(ACCOUNTS.dsl);
    expect((await dsl.get('/quarantine')).body).toContain('<a href="/alerts">Alerts (1 open)</a>');
    expect((await dsl.get('/rules')).body).toContain('<a href="/alerts">Alerts (1 open)</a>');
  });
});
