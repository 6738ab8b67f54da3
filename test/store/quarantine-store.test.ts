import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { BODY_PHRASE, HEALTH_FINDING, inventedRaw, inventedRecord, PUPIL_FINDING, PUPIL_NAME, SUBJECT_PHRASE, verdictEntry } from './support/invented-records.js';
import { createSite, ENGINES, type StoreSite } from './support/store-engines.js';

describe.each(ENGINES)('quarantine on %s', (engine) => {
  let site: StoreSite;
  beforeEach(async () => {
    site = await createSite(engine);
  });
  afterEach(async () => {
    await site.dispose();
  });

  it('holds a message, lists it without content and opens it whole', async () => {
    const store = await site.open();
    const record = inventedRecord();
    const { id, created } = await store.quarantine.hold(record);
    expect(created).toBe(true);

    const [summary, ...others] = await store.quarantine.list();
    expect(others).toHaveLength(0);
    expect(summary).toEqual({
      id,
      schoolId: 'st-marys-example',
      receivedAt: record.receivedAt,
      from: 'teacher.one@stmarys-example.sch.uk',
      rcpt: ['parent@example.org', 'other@example.net'],
      categories: ['pupil-name', 'sensitive/health'],
      ruleIds: ['pupil-name-external', 'health-external'],
      status: 'held',
      sizeBytes: record.raw.length,
      bodyDestroyed: false,
    });
    expect(JSON.stringify(summary)).not.toContain(PUPIL_NAME);

    const opened = await store.quarantine.open(id);
    expect(opened.raw.equals(record.raw)).toBe(true);
    expect(opened.subject).toBe(record.subject);
    expect(opened.findings).toEqual([PUPIL_FINDING, HEALTH_FINDING]);
  });

  it('filters by school, status, category, rule, sender and date', async () => {
    const store = await site.open();
    await store.quarantine.hold(inventedRecord({ id: 'a', receivedAt: new Date('2026-11-01T09:00:00Z') }));
    await store.quarantine.hold(
      inventedRecord({
        id: 'b',
        schoolId: 'oak-example',
        receivedAt: new Date('2026-11-02T09:00:00Z'),
        envelope: { mailFrom: 'head@oak-example.sch.uk', rcptTo: ['x@example.org'] },
        findings: [HEALTH_FINDING],
        ruleIds: ['health-external'],
      }),
    );
    await store.quarantine.hold(inventedRecord({ id: 'c', receivedAt: new Date('2026-11-03T09:00:00Z') }));
    await store.quarantine.decide('c', { status: 'rejected', actor: 'dpo@stmarys-example.sch.uk' });
    const ids = async (filter: Parameters<typeof store.quarantine.list>[0]) => (await store.quarantine.list(filter)).map((row) => row.id);

    expect(await ids({})).toEqual(['c', 'b', 'a']);
    expect(await ids({ schoolIds: ['oak-example'] })).toEqual(['b']);
    expect(await ids({ schoolIds: [] })).toEqual([]);
    expect(await ids({ status: 'held' })).toEqual(['b', 'a']);
    expect(await ids({ category: 'pupil-name' })).toEqual(['c', 'a']);
    expect(await ids({ ruleId: 'health-external' })).toEqual(['c', 'b', 'a']);
    expect(await ids({ ruleId: 'pupil-name-external', status: 'held' })).toEqual(['a']);
    expect(await ids({ sender: 'Head@oak-example.sch.uk' })).toEqual(['b']);
    expect(await ids({ since: new Date('2026-11-02T00:00:00Z'), until: new Date('2026-11-03T00:00:00Z') })).toEqual(['b']);
    expect(await ids({ limit: 1, offset: 1 })).toEqual(['b']);
    expect(await store.quarantine.count({ category: 'pupil-name', limit: 1 })).toBe(2);
    expect(await store.quarantine.count({ schoolIds: [] })).toBe(0);
  });

  it('keeps one record when the same id is held twice', async () => {
    const store = await site.open();
    const first = await store.quarantine.hold(inventedRecord({ id: 'spool-1' }), verdictEntry());
    const again = await Promise.all([
      store.quarantine.hold(inventedRecord({ id: 'spool-1', raw: inventedRaw('different') }), verdictEntry()),
      store.quarantine.hold(inventedRecord({ id: 'spool-1' }), verdictEntry()),
    ]);
    expect(first).toEqual({ id: 'spool-1', created: true });
    expect(again).toEqual([
      { id: 'spool-1', created: false },
      { id: 'spool-1', created: false },
    ]);
    expect(await store.quarantine.list()).toHaveLength(1);
    expect((await store.quarantine.open('spool-1')).raw.equals(inventedRaw())).toBe(true);
    expect(await store.audit.forMessage('spool-1')).toHaveLength(1);
  });

  it('writes the verdict audit entry and the incident with the hold', async () => {
    const store = await site.open();
    const { id } = await store.quarantine.hold(inventedRecord(), verdictEntry({ messageId: 'ignored' }));
    const [entry] = await store.audit.forMessage(id);
    expect(entry).toMatchObject({
      kind: 'verdict',
      action: 'quarantine',
      messageId: id,
      replyCode: 250,
      scanMs: 6,
      actMs: 13,
      ruleIds: ['pupil-name-external'],
      categories: { 'pupil-name': 1, 'sensitive/health': 2 },
    });
    const incidents = await store.incidents.list();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ messageId: id, action: 'quarantine', types: ['Unencrypted special-category data', 'Failure to redact'], dataProtection: true });
  });

  it('lets exactly one of two concurrent decisions win, and audits only the winner', async () => {
    const stores = engine === 'postgres' ? [await site.open(), await site.open()] : [await site.open()];
    const { id } = await stores[0]!.quarantine.hold(inventedRecord());
    const results = await Promise.all([
      stores[0]!.quarantine.decide(id, { status: 'released', actor: 'dpo-one', reason: 'parent is the recipient' }),
      stores.at(-1)!.quarantine.decide(id, { status: 'rejected', actor: 'dpo-two', reason: 'wrong parent' }),
    ]);
    expect(results.filter((result) => result.won)).toHaveLength(1);
    const winner = results.find((result) => result.won)!;
    expect(results.map((result) => result.status)).toEqual([winner.status, winner.status]);
    const [record] = await stores[0]!.quarantine.list();
    expect(record?.status).toBe(winner.status);
    expect(record?.decidedBy).toBe(winner.status === 'released' ? 'dpo-one' : 'dpo-two');

    const human = (await stores[0]!.audit.forMessage(id)).filter((entry) => entry.kind === 'human');
    expect(human).toHaveLength(1);
    expect(human[0]).toMatchObject({ actor: record?.decidedBy, action: winner.status === 'released' ? 'release' : 'reject' });
    expect(await stores[0]!.quarantine.decide(id, { status: 'released', actor: 'dpo-three' })).toEqual({ won: false, status: winner.status });
    expect(await stores[0]!.quarantine.decide('no-such-id', { status: 'released', actor: 'dpo-three' })).toEqual({ won: false, status: undefined });
    expect(await stores[0]!.audit.verify()).toMatchObject({ ok: true });
  });

  it('round-trips a 25 MB body', async () => {
    const store = await site.open();
    const raw = Buffer.concat([inventedRaw(), randomBytes(25 * 1024 * 1024)]);
    const { id } = await store.quarantine.hold(inventedRecord({ raw }));
    const opened = await store.quarantine.open(id);
    expect(opened.sizeBytes).toBe(raw.length);
    expect(opened.raw.equals(raw)).toBe(true);
  }, 120_000);

  it('keeps no readable subject, body or matched text in the database', async () => {
    const store = await site.open();
    await store.quarantine.hold(inventedRecord({ id: 'secret-1' }));
    const column = engine === 'postgres' ? (name: string) => `position(convert_to(?, 'UTF8') in ${name}) > 0` : (name: string) => `instr(${name}, CAST(? AS BLOB)) > 0`;
    for (const phrase of [BODY_PHRASE, SUBJECT_PHRASE, PUPIL_NAME]) {
      const hits = await site.exec(`SELECT id FROM quarantine_bodies WHERE ${column('raw')} OR ${column('subject')} OR ${column('findings')}`, [phrase, phrase, phrase]);
      expect(hits, phrase).toEqual([]);
    }
    const [sanity] = await site.exec(`SELECT id FROM quarantine WHERE mail_from = ?`, ['teacher.one@stmarys-example.sch.uk']);
    expect(sanity).toEqual({ id: 'secret-1' });
  });

  it('destroys old bodies, expires what was still held and keeps decisions', async () => {
    const store = await site.open();
    await store.quarantine.hold(inventedRecord({ id: 'old-held', receivedAt: new Date('2026-10-01T00:00:00Z') }));
    await store.quarantine.hold(inventedRecord({ id: 'old-rejected', receivedAt: new Date('2026-10-02T00:00:00Z') }));
    await store.quarantine.decide('old-rejected', { status: 'rejected', actor: 'dpo' });
    await store.quarantine.hold(inventedRecord({ id: 'recent', receivedAt: new Date('2026-11-20T00:00:00Z') }));

    expect(await store.quarantine.expire(new Date('2026-11-01T00:00:00Z'), new Date('2026-11-23T00:00:00Z'))).toBe(2);
    expect(await store.quarantine.expire(new Date('2026-11-01T00:00:00Z'))).toBe(0);

    const byId = new Map((await store.quarantine.list()).map((row) => [row.id, row]));
    expect(byId.get('old-held')).toMatchObject({ status: 'expired', bodyDestroyed: true });
    expect(byId.get('old-rejected')).toMatchObject({ status: 'rejected', bodyDestroyed: true });
    expect(byId.get('recent')).toMatchObject({ status: 'held', bodyDestroyed: false });
    expect(await site.exec('SELECT id FROM quarantine_bodies')).toEqual([{ id: 'recent' }]);
    await expect(store.quarantine.open('old-held')).rejects.toMatchObject({ code: 'not-found' });
    await expect(store.quarantine.open('nothing')).rejects.toBeInstanceOf(StoreError);
    expect(await store.quarantine.decide('old-held', { status: 'released', actor: 'dpo' })).toEqual({ won: false, status: 'expired' });
    expect((await store.audit.forMessage('old-held')).map((entry) => [entry.kind, entry.action, entry.actor])).toEqual([['system', 'expire', 'retention']]);
  });

  it('deletes a held message: the body destroyed at once, the record deleted, the reason audited; once only', async () => {
    const store = await site.open();
    await store.quarantine.hold(inventedRecord({ id: 'to-delete' }));
    await store.quarantine.hold(inventedRecord({ id: 'kept' }));
    await expect(store.quarantine.decide('to-delete', { status: 'deleted', actor: 'dpo', reason: ' ' })).rejects.toMatchObject({ code: 'invalid-record' });

    const at = new Date('2026-11-23T12:00:00.000Z');
    expect(await store.quarantine.decide('to-delete', { status: 'deleted', actor: 'dpo', reason: 'DSL is dealing with the sender', at })).toEqual({ won: true, status: 'deleted' });
    expect(await site.exec('SELECT id FROM quarantine_bodies')).toEqual([{ id: 'kept' }]);
    await expect(store.quarantine.open('to-delete')).rejects.toMatchObject({ code: 'not-found' });
    expect(await store.quarantine.find('to-delete')).toMatchObject({ status: 'deleted', bodyDestroyed: true, decidedBy: 'dpo', decidedAt: at });
    expect((await store.audit.forMessage('to-delete')).map((entry) => [entry.kind, entry.action, entry.actor, entry.reason])).toEqual([
      ['human', 'delete', 'dpo', 'DSL is dealing with the sender'],
    ]);
    expect(await store.quarantine.decide('to-delete', { status: 'deleted', actor: 'dpo', reason: 'again' })).toEqual({ won: false, status: 'deleted' });
    expect(await store.quarantine.decide('to-delete', { status: 'released', actor: 'dpo' })).toEqual({ won: false, status: 'deleted' });
    // Retention leaves it alone: its body is already gone, and its status says why.
    expect(await store.quarantine.expire(new Date('2027-01-01T00:00:00Z'))).toBe(1);
    expect(await store.quarantine.find('to-delete')).toMatchObject({ status: 'deleted' });
    expect(await store.audit.verify()).toMatchObject({ ok: true });
  });

  it("finds and opens a record only within the caller's schools", async () => {
    const store = await site.open();
    await store.quarantine.hold(inventedRecord({ id: 'school-a-1', schoolId: 'school-a' }));
    expect(await store.quarantine.find('school-a-1', { schoolIds: ['school-a'] })).toMatchObject({ id: 'school-a-1' });
    expect((await store.quarantine.open('school-a-1', { schoolIds: ['school-b', 'school-a'] })).id).toBe('school-a-1');
    expect(await store.quarantine.find('school-a-1', { schoolIds: ['school-b'] })).toBeUndefined();
    expect(await store.quarantine.find('school-a-1', { schoolIds: [] })).toBeUndefined();
    await expect(store.quarantine.open('school-a-1', { schoolIds: ['school-b'] })).rejects.toMatchObject({ code: 'not-found' });
    expect(await store.quarantine.find('no-such-id')).toBeUndefined();
  });
});
