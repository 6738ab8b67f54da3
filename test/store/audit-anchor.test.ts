import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditAnchorFile } from '../../src/store/audit-anchor.js';
import { verdictEntry } from './support/invented-records.js';
import { createSite, ENGINES, type StoreSite } from './support/store-engines.js';

/**
 * The attack the anchor stops: someone who can write to the database (not the gateway's files) deletes the newest
 * entries and sets the head row back to the last one kept. Every remaining link is genuine, so the chain verifies.
 */
async function truncateTo(site: StoreSite, seq: number): Promise<void> {
  const [kept] = await site.exec(`SELECT hash FROM audit_log WHERE seq = ${seq}`);
  for (const table of ['audit_categories', 'audit_rules', 'incidents', 'activity', 'audit_log']) await site.exec(`DELETE FROM ${table} WHERE seq > ${seq}`);
  await site.exec(`UPDATE audit_head SET seq = ${seq}, hash = '${String(kept!.hash)}' WHERE id = 1`);
}

describe.each(ENGINES)('the audit chain anchored outside the database, on %s', (engine) => {
  let site: StoreSite;
  const key = randomBytes(32);
  beforeEach(async () => {
    site = await createSite(engine);
  });
  afterEach(async () => {
    await site.dispose();
  });

  async function storeWithEntries(count: number) {
    const store = await site.open({ key });
    for (let index = 1; index <= count; index += 1) await store.audit.append(verdictEntry({ messageId: `m${index}` }));
    return store;
  }

  it('reports the newest entries deleted in the database, with the head row set back to match', async () => {
    const store = await storeWithEntries(5);
    await store.audit.anchorHead();
    expect(await store.audit.verify()).toMatchObject({ ok: true, entries: 5, anchoredSeq: 5 });
    const anchored = JSON.parse(await readFile(auditAnchorFile(site.dataDir), 'utf8')) as { seq: number; hash: string };
    expect(anchored).toMatchObject({ seq: 5, scheme: 'hmac-sha256:v1' });
    await truncateTo(site, 3);
    expect(await store.audit.verify()).toMatchObject({
      ok: false,
      brokenAtSeq: 4,
      reason: expect.stringMatching(/the chain ends at entry 3, but entry 5 was written .*the newest entries were removed/),
      anchoredSeq: 5,
    });
    await store.close();
    // A restart does not take the shorter chain as the truth.
    const reopened = await site.open({ key });
    expect(await reopened.audit.verify()).toMatchObject({ ok: false, brokenAtSeq: 4 });
  });

  it('keeps the anchor where it was when a truncated chain grows past it again', async () => {
    const store = await storeWithEntries(4);
    await store.close();
    await truncateTo(site, 2);
    const reopened = await site.open({ key });
    for (let index = 1; index <= 4; index += 1) await reopened.audit.append(verdictEntry({ messageId: `later${index}` }));
    await reopened.audit.anchorHead();
    expect(await reopened.audit.verify()).toMatchObject({ ok: false, brokenAtSeq: 4, reason: expect.stringMatching(/not the one anchored/), anchoredSeq: 4 });
  });

  it('follows entries written in other records’ transactions (accounts), and retention pruning the oldest', async () => {
    const store = await storeWithEntries(2);
    await store.users.add({ email: 'dpo@stmarys-example.sch.uk', role: 'dpo', passwordHash: 'scrypt$invented' }, { actor: 'cli:test', reason: 'new DPO' });
    await store.close();
    expect(JSON.parse(await readFile(auditAnchorFile(site.dataDir), 'utf8'))).toMatchObject({ seq: 3 });
    const reopened = await site.open({ key });
    expect(await reopened.audit.prune(new Date(Date.now() + 60_000))).toBe(3);
    await reopened.audit.append(verdictEntry({ messageId: 'after-pruning' }));
    await reopened.audit.anchorHead();
    expect(await reopened.audit.verify()).toMatchObject({ ok: true, entries: 1, anchoredSeq: 4 });
  });
});
