import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreDatabase } from '../../src/store/schema.js';
import { recipientDomains } from '../../src/message/addresses.js';
import { countCategories } from '../../src/store/audit-entry.js';
import { verdictEntry } from './support/invented-records.js';
import { createSite, ENGINES, type StoreSite } from './support/store-engines.js';

describe.each(ENGINES)('audit log on %s', (engine) => {
  let site: StoreSite;
  beforeEach(async () => {
    site = await createSite(engine);
  });
  afterEach(async () => {
    await site.dispose();
  });

  async function storeWithEntries(count: number) {
    const store = await site.open();
    for (let index = 1; index <= count; index += 1) {
      await store.audit.append(verdictEntry({ messageId: `m${index}`, at: new Date(Date.UTC(2026, 10, index, 12)) }));
    }
    return store;
  }

  it('chains every entry to the one before and verifies', async () => {
    const store = await storeWithEntries(3);
    const human = await store.audit.append({ kind: 'human', schoolId: 'st-marys-example', actor: 'dpo', action: 'view', messageId: 'm1', reason: 'review' });
    expect(human.seq).toBe(4);
    const verification = await store.audit.verify();
    expect(verification).toEqual({ ok: true, entries: 4, headSeq: 4, headHash: human.hash, scheme: 'hmac-sha256:v1', keyed: true, anchoredSeq: expect.any(Number) });
    const rows = await site.exec('SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq');
    expect(rows.map((row) => row.seq)).toEqual([1, 2, 3, 4]);
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
  });

  it('appends with durability "written" into the same chain, and leaves the store committing to disk afterwards', async () => {
    const store = await site.open();
    await store.audit.append(verdictEntry({ messageId: 'before' }));
    await store.audit.appendAll([verdictEntry({ messageId: 'w1' }), verdictEntry({ messageId: 'w2' })], 'written');
    await store.audit.syncToDisk();
    await store.audit.append(verdictEntry({ messageId: 'after' }));
    expect(await store.audit.verify()).toMatchObject({ ok: true, entries: 4 });
    if (engine === 'sqlite') {
      // The level is the connection's: it must be FULL again for the next hold, whose 250 needs the disk.
      const db = (store.audit as unknown as { db: Kysely<StoreDatabase> }).db;
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
      expect(rows[0]?.synchronous).toBe(2);
    }
  });

  it('writes the same chain, details and incidents with appendAll as with append one by one', async () => {
    const at = (day: number) => new Date(Date.UTC(2026, 10, day, 12));
    const entries = [
      verdictEntry({ messageId: 'a', at: at(1) }),
      verdictEntry({ messageId: 'b', at: at(2), action: 'quarantine', ruleIds: ['pupil-name-external', 'health'], categories: { 'pupil-name': 2, 'sensitive/health': 1 } }),
      { kind: 'human', schoolId: 'st-marys-example', actor: 'dpo', action: 'view', messageId: 'b', reason: 'review', at: at(3) } as const,
      verdictEntry({ messageId: 'c', at: at(4), action: 'return', ruleIds: ['swearing'], categories: { 'language/profanity': 1 } }),
    ];
    // One key for both stores: the links are keyed with it, so only then are they the same.
    const key = randomBytes(32);
    const oneByOne = await site.open({ key });
    const appended = [];
    for (const entry of entries) appended.push(await oneByOne.audit.append(entry));
    const snapshot = async (store: typeof oneByOne) => ({
      history: await Promise.all(['a', 'b', 'c'].map((id) => store.audit.forMessage(id))),
      incidents: await store.incidents.list(),
      verification: await store.audit.verify(),
    });
    const expected = await snapshot(oneByOne);
    await oneByOne.close();
    await site.dispose();
    site = await createSite(engine);
    const batched = await site.open({ key });
    expect(await batched.audit.appendAll(entries)).toEqual(appended);
    expect(await snapshot(batched)).toEqual(expected);
    expect(await batched.audit.appendAll([])).toEqual([]);
  });

  it('verifies an empty log', async () => {
    const store = await site.open();
    expect(await store.audit.verify()).toMatchObject({ ok: true, entries: 0, headSeq: 0 });
  });

  it("detects an entry's categories altered in SQL, naming its seq", async () => {
    const store = await storeWithEntries(5);
    await site.exec("UPDATE audit_categories SET count = 0 WHERE seq = 3 AND category = 'pupil-name'");
    expect(await store.audit.verify()).toMatchObject({ ok: false, brokenAtSeq: 3, reason: 'its content does not match its hash' });
  });

  it('detects an altered column of the entry itself', async () => {
    const store = await storeWithEntries(4);
    await site.exec("UPDATE audit_log SET action = 'deliver' WHERE seq = 2");
    expect(await store.audit.verify()).toMatchObject({ ok: false, brokenAtSeq: 2 });
  });

  it('detects a deleted entry in the middle and a deleted last entry', async () => {
    const store = await storeWithEntries(5);
    await site.exec('DELETE FROM audit_log WHERE seq = 5');
    expect(await store.audit.verify()).toMatchObject({ ok: false, brokenAtSeq: 5 });
    await site.exec('DELETE FROM audit_categories WHERE seq = 3');
    await site.exec('DELETE FROM audit_rules WHERE seq = 3');
    await site.exec('DELETE FROM audit_log WHERE seq = 3');
    expect(await store.audit.verify()).toMatchObject({ ok: false, brokenAtSeq: 3, reason: 'entry 3 is missing' });
  });

  it('detects an entry relinked to another predecessor', async () => {
    const store = await storeWithEntries(3);
    await site.exec('UPDATE audit_log SET prev_hash = hash WHERE seq = 2');
    expect(await store.audit.verify()).toMatchObject({ ok: false, brokenAtSeq: 2, reason: 'its previous hash does not match the entry before it' });
  });

  it('prunes a prefix and stays verifiable from its anchor', async () => {
    const store = await storeWithEntries(6);
    expect(await store.audit.prune(new Date(Date.UTC(2026, 10, 3)))).toBe(2);
    expect(await store.audit.verify()).toMatchObject({ ok: true, entries: 4, headSeq: 6 });
    await store.audit.append(verdictEntry({ messageId: 'm7' }));
    expect(await store.audit.verify()).toMatchObject({ ok: true, entries: 5, headSeq: 7 });
    await site.exec("UPDATE audit_log SET sender = 'someone@else.example' WHERE seq = 3");
    expect(await store.audit.verify()).toMatchObject({ ok: false, brokenAtSeq: 3 });
  });

  it('counts verdicts and findings by day, top senders and top rules', async () => {
    const store = await site.open();
    const day1 = new Date('2026-11-02T09:00:00Z');
    const day2 = new Date('2026-11-03T09:00:00Z');
    await store.audit.append(verdictEntry({ at: day1, action: 'deliver', categories: {}, ruleIds: [], sender: 'a@s.example' }));
    await store.audit.append(verdictEntry({ at: day1, action: 'quarantine', sender: 'b@s.example', ruleIds: ['r1', 'r2'] }));
    await store.audit.append(verdictEntry({ at: day2, action: 'return', sender: 'b@s.example', categories: { 'language/profanity': 1 }, ruleIds: ['r2'] }));
    await store.audit.append(verdictEntry({ at: day2, action: 'return', sender: 'c@s.example', schoolId: 'oak-example', ruleIds: ['r3'] }));
    await store.audit.append({ kind: 'human', schoolId: 'st-marys-example', actor: 'dpo', action: 'release', at: day2 });
    const range = { since: new Date('2026-11-01T00:00:00Z'), until: new Date('2026-11-04T00:00:00Z'), schoolIds: ['st-marys-example'] };

    expect(await store.audit.countsByDay(range)).toEqual({
      verdicts: [
        { day: '2026-11-02', action: 'deliver', count: 1 },
        { day: '2026-11-02', action: 'quarantine', count: 1 },
        { day: '2026-11-03', action: 'return', count: 1 },
      ],
      findings: [
        { day: '2026-11-02', category: 'pupil-name', count: 1 },
        { day: '2026-11-02', category: 'sensitive/health', count: 2 },
        { day: '2026-11-03', category: 'language/profanity', count: 1 },
      ],
    });
    expect(await store.audit.topSenders(range)).toEqual([{ sender: 'b@s.example', stopped: 2 }]);
    expect(await store.audit.topSenders({ ...range, schoolIds: undefined })).toEqual([
      { sender: 'b@s.example', stopped: 2 },
      { sender: 'c@s.example', stopped: 1 },
    ]);
    expect(await store.audit.topRules({ ...range, schoolIds: undefined }, 2)).toEqual([
      { ruleId: 'r2', fired: 2 },
      { ruleId: 'r1', fired: 1 },
    ]);
  });
});

describe('audit log shared by two gateway processes on postgres', () => {
  let site: StoreSite;
  beforeEach(async () => {
    site = await createSite('postgres');
  });
  afterEach(async () => {
    await site.dispose();
  });

  it('keeps one chain when two stores append at once', async () => {
    const [first, second] = [await site.open(), await site.open()];
    const appends = Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? first : second).audit.append(verdictEntry({ messageId: `m${index}` })));
    const appended = await Promise.all(appends);
    expect(new Set(appended.map((entry) => entry.seq)).size).toBe(40);
    expect(Math.max(...appended.map((entry) => entry.seq))).toBe(40);
    expect(await second.audit.verify()).toMatchObject({ ok: true, entries: 40 });
    expect(await first.incidents.list()).toHaveLength(40);
  });
});

describe('audit entry helpers', () => {
  it('counts findings per category and keeps each recipient domain once', () => {
    expect(countCategories([{ category: 'pupil-name' }, { category: 'sensitive/sen' }, { category: 'pupil-name' }])).toEqual({ 'pupil-name': 2, 'sensitive/sen': 1 });
    expect(recipientDomains(['a@Example.org', 'b@example.org', 'c@other.example'])).toEqual(['example.org', 'other.example']);
  });
});
