import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../src/gateway/start-gateway.js';
import { bullMailQueue, type MailQueue } from '../../src/queue/mail-queue.js';
import { hashPassword } from '../../src/smtp/password-hash.js';
import { openConfiguredStore } from '../../src/store/configured-store.js';
import type { Store } from '../../src/store/store.js';
import { createWebApp } from '../../src/web/web-app.js';
import { startNextHop, type RunningNextHop } from '../actions/support/next-hop-server.js';
import { gatewaySettings, memoryLog } from '../gateway/support/gateway-settings.js';
import { swaks } from '../gateway/support/swaks.js';
import { SHARED_REDIS } from '../queue/support/redis.js';
import { createSite, DATABASE_URL, type StoreSite } from '../store/support/store-engines.js';
import { TestAuthenticators } from './support/authenticators.js';
import { InjectedBrowser } from './support/inject-session.js';

const BURSAR = 'bursar@stmarys-example.sch.uk';
const DSL = 'dsl@stmarys-example.sch.uk';
const PASSWORD = 'an invented password for this test';

const SLUR = { file: 'fixtures/corpus/slur-disablist.eml', from: 'marcus.lindqvist@stmarys-example.sch.uk', to: ['zainab.qureshi@stmarys-example.sch.uk'] };
const SAFEGUARDING = {
  file: 'fixtures/corpus/safeguarding-social-worker.eml',
  from: 'thomas.greaves@stmarys-example.sch.uk',
  to: ['childrens.services@lbh-council-example.gov.uk'],
};
const CLASS_LIST = { file: 'fixtures/corpus/class-list-csv-photographer.eml', from: 'karen.doyle@stmarys-example.sch.uk', to: ['orders@snapshot-photos-example.co.uk'] };
const OWN_WEBMAIL = { file: 'fixtures/corpus/own-gmail-lesson-plans.eml', from: 'rachel.fenwick@stmarys-example.sch.uk', to: ['rachel.fenwick82@gmail.com'] };
const CLEAN_TO_WEBMAIL = { file: 'fixtures/corpus/clean-inset-day.eml', from: 'catherine.ashworth@stmarys-example.sch.uk', to: ['invented.stranger@gmail.com'] };
const CLEAN = { file: 'fixtures/corpus/clean-inset-day.eml', from: 'catherine.ashworth@stmarys-example.sch.uk', to: ['parents@stmarys-example.sch.uk'] };

/**
 * The alerts inbox over a running gateway on PostgreSQL: the verdicts `serve` reaches record their alerts
 * before the reply, and the review app (a second process's view of the same database) shows them by role.
 */
describe('alerts inbox through serve', () => {
  const schema = `hm_alerts_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  let data: string;
  let nextHop: RunningNextHop;
  let gateway: RunningGateway;
  let store: Store;
  let mail: MailQueue;
  let neighbour: StoreSite;

  beforeAll(async () => {
    // Another schema with its own store in the same database, as a second trust (or a parallel test) has:
    // the gateway, whose URL sets its search_path, must not take that schema's migration tables for its own.
    neighbour = await createSite('postgres');
    await neighbour.open();
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const database = `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    data = join(await mkdtemp(join(tmpdir(), 'hm-alerts-serve-')), 'data');
    nextHop = await startNextHop();
    // Only the Business Manager has an address: the DSL and the DPO hear through the inbox alone.
    const settings = { ...gatewaySettings(data, nextHop.url), database, alertRecipients: { 'st-marys': { 'business-manager': [BURSAR], dpo: [], dsl: [] } } };
    gateway = await startGateway(settings, memoryLog().logger);
    store = await openConfiguredStore({ data, database });
    mail = bullMailQueue(SHARED_REDIS, { prefix: settings.redisPrefix });
  });
  afterAll(async () => {
    await mail?.close();
    await store?.close();
    await gateway?.stop();
    await nextHop?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    await neighbour?.dispose();
  });

  async function send(message: { file: string; from: string; to: string[] }): Promise<number | undefined> {
    const run = await swaks(gateway.smtp.port, message.file, { from: message.from, to: message.to });
    return run.lastCode;
  }

  it('records each alert for its role, emailed or not, once however often the client sends; clean mail records none', async () => {
    expect(await send(SLUR)).toBe(250);
    expect(await send(SLUR)).toBe(250);
    expect(await send(SAFEGUARDING)).toBe(250);
    expect(await send(CLEAN)).toBe(250);

    const alerts = await store.alertInbox.list();
    expect(alerts.map((alert) => [alert.role, alert.level, alert.emailed, alert.action, alert.rules.map((rule) => rule.id)]).sort()).toEqual([
      ['business-manager', 'immediate', true, 'quarantine', ['slur']],
      ['dpo', 'digest', false, 'quarantine', ['safeguarding-outside-dsl']],
      ['dpo', 'digest', false, 'quarantine', ['slur']],
      ['dsl', 'immediate', false, 'quarantine', ['safeguarding-outside-dsl']],
    ]);
    const held = await store.quarantine.list();
    expect(held).toHaveLength(2);
    expect(new Set(alerts.map((alert) => alert.messageId))).toEqual(new Set(held.map((record) => record.id)));
    const slur = alerts.find((alert) => alert.role === 'business-manager')!;
    expect(slur).toMatchObject({ schoolId: 'st-marys', sender: SLUR.from, recipientDomains: ['stmarys-example.sch.uk'], recipientCount: 1, status: 'open' });
    expect(slur.rules[0]!.categories).toEqual({ 'language/slur': 1 });
    const stored = JSON.stringify((await admin.query(`SELECT * FROM ${schema}.alert_inbox`)).rows);
    for (const secret of ['Booking system', 'booking system is so slow', 'retard', 'Core group', 'Siobh', 'section 47', 'zainab.qureshi', 'childrens.services'])
      expect(stored).not.toContain(secret);
    // The one role with an address got its email, once.
    await expect.poll(() => nextHop.received.filter((message) => message.to.includes(BURSAR)).length, { timeout: 15_000 }).toBe(1);
  });

  it('shows the Business Manager the slur and the DSL the safeguarding alert, each only their own', async () => {
    const app = await createWebApp({ store, mail });
    try {
      const passwordHash = await hashPassword(PASSWORD);
      await store.users.add({ email: BURSAR, role: 'business-manager', passwordHash });
      await store.users.add({ email: DSL, role: 'dsl', passwordHash });
      const authenticators = new TestAuthenticators();
      await authenticators.enrol(store, DSL);
      const bursar = new InjectedBrowser(app);
      await bursar.signIn(BURSAR, PASSWORD);
      const bursarPage = (await bursar.get('/alerts')).body;
      expect(bursarPage).toContain('<strong>slur</strong>');
      expect(bursarPage).not.toContain('safeguarding-outside-dsl');
      expect(bursarPage).toContain('Alerts (1 open)');
      const dsl = new InjectedBrowser(app, undefined, authenticators);
      await dsl.signIn(DSL, PASSWORD);
      const dslPage = (await dsl.get('/alerts')).body;
      expect(dslPage).toContain('<strong>safeguarding-outside-dsl</strong>');
      expect(dslPage).toContain('Not emailed: no address is configured for this role');
      expect(dslPage).not.toContain('<strong>slur</strong>');
      for (const secret of ['Booking system', 'retard', 'Siobh', 'Core group']) {
        expect(bursarPage).not.toContain(secret);
        expect(dslPage).not.toContain(secret);
      }
    } finally {
      await app.close();
    }
  });

  it('records the alerts of returned and delivered mail too, before the reply', async () => {
    expect(await send(OWN_WEBMAIL)).toBe(550);
    expect(await send(CLEAN_TO_WEBMAIL)).toBe(250);
    const alerts = (await store.alertInbox.list({ roles: ['business-manager'] })).filter((alert) => alert.recipientDomains.includes('gmail.com'));
    expect(alerts.map((alert) => [alert.action, alert.level, alert.rules.map((rule) => rule.id)]).sort()).toEqual([
      ['deliver', 'digest', ['personal-webmail']],
      ['return', 'digest', ['staff-own-webmail', 'personal-webmail']],
    ]);
  });

  it('answers 451 when the alerts cannot be recorded, and the client’s retry records them once with one held message', async () => {
    await admin.query(`ALTER TABLE ${schema}.alert_inbox RENAME TO alert_inbox_away`);
    try {
      expect(await send(CLASS_LIST)).toBe(451);
    } finally {
      await admin.query(`ALTER TABLE ${schema}.alert_inbox_away RENAME TO alert_inbox`);
    }
    const before = (await store.quarantine.list()).length;
    expect(await send(CLASS_LIST)).toBe(250);
    expect(await store.quarantine.list()).toHaveLength(before);
    const alerts = (await store.alertInbox.list()).filter((alert) => alert.rules.some((rule) => rule.id === 'bulk-data-to-external'));
    expect(alerts.map((alert) => [alert.role, alert.level]).sort()).toEqual([
      ['business-manager', 'immediate'],
      ['dpo', 'immediate'],
    ]);
  });
});
