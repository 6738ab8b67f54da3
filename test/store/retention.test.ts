import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enforceRetention } from '../../src/store/retention.js';
import { inventedRecord, verdictEntry } from './support/invented-records.js';
import { createSite, ENGINES, type StoreSite } from './support/store-engines.js';

const NOW = new Date('2027-06-01T00:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

describe.each(ENGINES)('retention on %s', (engine) => {
  let site: StoreSite;
  beforeEach(async () => {
    site = await createSite(engine);
  });
  afterEach(async () => {
    await site.dispose();
  });

  it('destroys bodies after the quarantine period, metadata after the audit period, and keeps the chain verifiable', async () => {
    const store = await site.open();
    for (const [id, age] of [
      ['ancient', 400],
      ['old', 45],
      ['recent', 5],
    ] as const) {
      await store.quarantine.hold(inventedRecord({ id, receivedAt: daysAgo(age) }), verdictEntry({ at: daysAgo(age) }));
    }

    const result = await enforceRetention(store, NOW);
    expect(result).toEqual({
      bodiesDestroyed: 2,
      quarantineRecordsDeleted: 1,
      auditEntriesPruned: 1,
      incidentsDeleted: 1,
      alertsDeleted: 0,
      returnedBodiesDestroyed: 0,
      returnedRecordsDeleted: 0,
      activityDeleted: 1,
      falsePositivesDeleted: 0,
    });
    expect((await store.quarantine.list()).map((row) => [row.id, row.status, row.bodyDestroyed])).toEqual([
      ['recent', 'held', false],
      ['old', 'expired', true],
    ]);
    expect(await site.exec('SELECT id FROM quarantine_bodies')).toEqual([{ id: 'recent' }]);
    expect((await store.incidents.list()).map((incident) => incident.messageId)).toEqual(['old', 'recent']);
    // 3 verdicts + 2 expiries, minus the pruned verdict of 400 days ago.
    expect(await store.audit.verify()).toMatchObject({ ok: true, entries: 4, headSeq: 5 });

    expect(await enforceRetention(store, NOW)).toEqual({
      bodiesDestroyed: 0,
      quarantineRecordsDeleted: 0,
      auditEntriesPruned: 0,
      incidentsDeleted: 0,
      alertsDeleted: 0,
      returnedBodiesDestroyed: 0,
      returnedRecordsDeleted: 0,
      activityDeleted: 0,
      falsePositivesDeleted: 0,
    });
    expect(await enforceRetention(store, NOW, { quarantineDays: 1 })).toMatchObject({ bodiesDestroyed: 1 });
    expect(await store.audit.verify()).toMatchObject({ ok: true });
  });

  it('refuses a retention period that is not a positive number of days', async () => {
    const store = await site.open();
    await expect(enforceRetention(store, NOW, { quarantineDays: 0 })).rejects.toThrow(/quarantineDays/);
  });
});
