import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/policy/verdict.js';
import { inboxEntriesFor, type AlertFacts } from '../../src/queue/alerts.js';
import type { AlertInboxEntry } from '../../src/store/alert-inbox.js';
import { enforceRetention } from '../../src/store/retention.js';
import type { Store } from '../../src/store/store.js';
import { HEALTH_FINDING, PUPIL_FINDING, PUPIL_NAME, SUBJECT_PHRASE } from './support/invented-records.js';
import { createSite, ENGINES, type StoreSite } from './support/store-engines.js';

const SCHOOL = 'st-marys-example';
const OTHER_SCHOOL = 'oak-lane-example';
const NOBODY = { 'business-manager': [], dpo: [], dsl: [] } as const;

/** Two rules: one alerts the DSL now and the DPO in the digest, the other the DPO and the Business Manager now. */
const VERDICT: Verdict = {
  action: 'quarantine',
  findings: [PUPIL_FINDING, HEALTH_FINDING],
  rules: [
    { id: 'health-to-external', action: 'quarantine', description: 'Health data leaving the school', clause: 'AUP 4.2', reason: 'held', findings: [PUPIL_FINDING, HEALTH_FINDING] },
    { id: 'bulk-data', action: 'quarantine', description: 'Bulk personal data', clause: 'AUP 7.1', reason: 'held', findings: [PUPIL_FINDING, PUPIL_FINDING] },
  ],
  notifications: [
    { to: 'sender', level: 'immediate', ruleId: 'health-to-external' },
    { to: 'dsl', level: 'immediate', ruleId: 'health-to-external' },
    { to: 'dpo', level: 'digest', ruleId: 'health-to-external' },
    { to: 'dpo', level: 'immediate', ruleId: 'bulk-data' },
    { to: 'business-manager', level: 'digest', ruleId: 'bulk-data' },
  ],
};

function facts(messageId: string, overrides: Partial<AlertFacts> = {}): AlertFacts {
  return {
    school: { id: SCHOOL, name: "St Mary's" },
    messageId,
    receivedAt: new Date('2026-11-20T10:00:00.000Z'),
    sender: 'teacher.one@stmarys-example.sch.uk',
    recipients: ['parent@example.org', 'other@example.org', 'third@example.net'],
    reviewBaseUrl: 'https://hallmonitor.example',
    ...overrides,
  };
}

describe('inboxEntriesFor', () => {
  it('records every role a rule notifies, at either level and with or without addresses, and nothing of the content', () => {
    const entries = inboxEntriesFor(VERDICT, facts('key-1'), { ...NOBODY, dpo: ['dpo@stmarys-example.sch.uk'] });
    expect(entries.map((entry) => [entry.role, entry.level, entry.emailed])).toEqual([
      ['business-manager', 'digest', false],
      ['dpo', 'immediate', true],
      ['dsl', 'immediate', false],
    ]);
    const dpo = entries.find((entry) => entry.role === 'dpo')!;
    expect(dpo).toMatchObject({
      id: 'alert.key-1.dpo',
      messageId: 'key-1',
      schoolId: SCHOOL,
      action: 'quarantine',
      recipientDomains: ['example.net', 'example.org'],
      recipientCount: 3,
    });
    expect(dpo.rules).toEqual([
      { id: 'health-to-external', description: 'Health data leaving the school', clause: 'AUP 4.2', level: 'digest', categories: { 'pupil-name': 1, 'sensitive/health': 1 } },
      { id: 'bulk-data', description: 'Bulk personal data', clause: 'AUP 7.1', level: 'immediate', categories: { 'pupil-name': 2 } },
    ]);
    const text = JSON.stringify(entries);
    for (const secret of [PUPIL_NAME, SUBJECT_PHRASE, 'asthma', 'A123456789012', 'parent@', 'initials']) expect(text).not.toContain(secret);
  });

  it('records nothing for a verdict that alerts nobody (the sender is told by notices, not the inbox)', () => {
    const clean: Verdict = { action: 'return', findings: [], rules: VERDICT.rules, notifications: [{ to: 'sender', level: 'immediate', ruleId: 'bulk-data' }] };
    expect(inboxEntriesFor(clean, facts('key-2'), NOBODY)).toEqual([]);
  });
});

describe.each(ENGINES)('alert inbox on %s', (engine) => {
  let site: StoreSite;
  let store: Store;
  beforeEach(async () => {
    site = await createSite(engine);
    store = await site.open();
  });
  afterEach(async () => {
    await site.dispose();
  });

  function entries(messageId: string, overrides: Partial<AlertFacts> = {}): AlertInboxEntry[] {
    return inboxEntriesFor(VERDICT, facts(messageId, overrides), NOBODY);
  }

  it('records each alert once however often it is recorded, and a retry leaves an acknowledged one acknowledged', async () => {
    expect(await store.alertInbox.record(entries('key-1'))).toBe(3);
    expect(await store.alertInbox.record(entries('key-1'))).toBe(0);
    await store.alertInbox.acknowledge(['alert.key-1.dsl'], { actor: 'dsl@stmarys-example.sch.uk' });
    expect(await store.alertInbox.record(entries('key-1'))).toBe(0);
    expect(await store.alertInbox.count()).toBe(3);
    expect((await store.alertInbox.get('alert.key-1.dsl'))?.status).toBe('acknowledged');
    expect(await store.alertInbox.get('alert.key-1.dsl')).toMatchObject({
      role: 'dsl',
      level: 'immediate',
      emailed: false,
      sender: 'teacher.one@stmarys-example.sch.uk',
      recipientCount: 3,
      at: new Date('2026-11-20T10:00:00.000Z'),
    });
  });

  it('lists by role and school, open first and then newest, with a status filter and paging', async () => {
    await store.alertInbox.record(entries('old', { receivedAt: new Date('2026-11-18T10:00:00.000Z') }));
    await store.alertInbox.record(entries('new', { receivedAt: new Date('2026-11-20T10:00:00.000Z') }));
    await store.alertInbox.record(entries('elsewhere', { school: { id: OTHER_SCHOOL } }));
    await store.alertInbox.acknowledge(['alert.new.business-manager'], { actor: 'bursar@stmarys-example.sch.uk' });

    const bm = await store.alertInbox.list({ roles: ['business-manager'], schoolIds: [SCHOOL] });
    expect(bm.map((alert) => [alert.id, alert.status])).toEqual([
      ['alert.old.business-manager', 'open'],
      ['alert.new.business-manager', 'acknowledged'],
    ]);
    expect((await store.alertInbox.list({ roles: ['dsl'] })).map((alert) => alert.schoolId).sort()).toEqual([OTHER_SCHOOL, SCHOOL, SCHOOL]);
    expect(await store.alertInbox.list({ roles: ['dsl'], schoolIds: [] })).toEqual([]);
    expect(await store.alertInbox.list({ roles: [] })).toEqual([]);
    expect(await store.alertInbox.count({ roles: ['business-manager'], status: 'open' })).toBe(2);
    expect(await store.alertInbox.count({ status: 'acknowledged' })).toBe(1);
    const pages = [await store.alertInbox.list({ limit: 5 }), await store.alertInbox.list({ limit: 5, offset: 5 })];
    expect(pages.map((rows) => rows.length)).toEqual([5, 4]);
    expect(new Set(pages.flat().map((alert) => alert.id)).size).toBe(9);
    expect(pages[1]!.at(-1)!.status).toBe('acknowledged');
  });

  it('acknowledges with who, when and a note, audited as a human entry; outside the scope or twice, nothing changes', async () => {
    await store.alertInbox.record(entries('key-1'));
    const at = new Date('2026-11-21T08:30:00.000Z');
    const bmScope = { roles: ['business-manager'] as const, schoolIds: [SCHOOL] };
    const refused = await store.alertInbox.acknowledge(['alert.key-1.dsl', 'no-such-alert'], { actor: 'bursar@stmarys-example.sch.uk', scope: bmScope });
    expect(refused).toEqual({ acknowledged: [], skipped: 2 });
    const done = await store.alertInbox.acknowledge(['alert.key-1.business-manager', 'alert.key-1.business-manager'], {
      actor: 'bursar@stmarys-example.sch.uk',
      note: 'Spoke to the sender',
      at,
      scope: bmScope,
    });
    expect(done).toEqual({ acknowledged: ['alert.key-1.business-manager'], skipped: 0 });
    expect(await store.alertInbox.acknowledge(['alert.key-1.business-manager'], { actor: 'dpo@stmarys-example.sch.uk' })).toEqual({ acknowledged: [], skipped: 1 });
    expect(await store.alertInbox.get('alert.key-1.business-manager')).toMatchObject({
      status: 'acknowledged',
      acknowledgedAt: at,
      acknowledgedBy: 'bursar@stmarys-example.sch.uk',
      note: 'Spoke to the sender',
    });
    expect((await store.alertInbox.get('alert.key-1.dsl'))?.status).toBe('open');

    const audit = await store.audit.forMessage('key-1');
    expect(audit).toEqual([
      expect.objectContaining({
        kind: 'human',
        action: 'acknowledge',
        actor: 'bursar@stmarys-example.sch.uk',
        schoolId: SCHOOL,
        reason: 'business-manager alert acknowledged: Spoke to the sender',
        at: at.toISOString(),
      }),
    ]);
    expect((await store.audit.verify()).ok).toBe(true);
  });

  it('of two people acknowledging the same alert at once, exactly one is recorded', async () => {
    await store.alertInbox.record(entries('key-1'));
    const other = engine === 'postgres' ? await site.open() : store;
    const results = await Promise.all([
      store.alertInbox.acknowledge(['alert.key-1.dpo'], { actor: 'dpo@stmarys-example.sch.uk' }),
      other.alertInbox.acknowledge(['alert.key-1.dpo'], { actor: 'it.admin@stmarys-example.sch.uk' }),
    ]);
    expect(results.map((result) => result.acknowledged.length).sort()).toEqual([0, 1]);
    expect((await store.audit.forMessage('key-1')).filter((entry) => entry.action === 'acknowledge')).toHaveLength(1);
  });

  it('prunes alerts about messages received before the cut-off', async () => {
    await store.alertInbox.record(entries('old', { receivedAt: new Date('2025-01-01T00:00:00.000Z') }));
    await store.alertInbox.record(entries('new'));
    expect(await store.alertInbox.prune(new Date('2026-01-01T00:00:00.000Z'))).toBe(3);
    expect((await store.alertInbox.list()).map((alert) => alert.messageId)).toEqual(['new', 'new', 'new']);
    // The retention job prunes them with the audit log.
    expect((await enforceRetention(store, new Date('2027-12-01T00:00:00.000Z'), { auditDays: 365 })).alertsDeleted).toBe(3);
    expect(await store.alertInbox.count()).toBe(0);
  });
});
