import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, entryHash, type ChainedEntry } from '../../src/store/audit-chain.js';
import { verdictEntry } from './support/invented-records.js';
import { createSite, ENGINES, type StoreSite } from './support/store-engines.js';

/**
 * The attack a keyed chain stops: someone who can write to the database (not the gateway's key) rewrites an
 * entry, then recomputes every link after it with plain SHA-256, as anyone can, and sets the head to match.
 */
async function rewriteHistory(site: StoreSite, seq: number, sender: string): Promise<void> {
  await site.exec(`UPDATE audit_log SET sender = '${sender}' WHERE seq = ${seq}`);
  const rows = await site.exec('SELECT * FROM audit_log ORDER BY seq');
  let prevHash = String(rows[0]!.prev_hash);
  for (const row of rows) {
    const categories = Object.fromEntries((await site.exec(`SELECT category, count FROM audit_categories WHERE seq = ${row.seq}`)).map((c) => [c.category, Number(c.count)]));
    const ruleIds = (await site.exec(`SELECT rule_id FROM audit_rules WHERE seq = ${row.seq} ORDER BY position`)).map((r) => String(r.rule_id));
    const entry: ChainedEntry = {
      seq: Number(row.seq),
      at: String(row.at),
      schoolId: String(row.school_id),
      kind: String(row.kind),
      action: String(row.action),
      messageId: (row.message_id as string | null) ?? null,
      actor: (row.actor as string | null) ?? null,
      reason: (row.reason as string | null) ?? null,
      sender: (row.sender as string | null) ?? null,
      recipientDomains: row.recipient_domains === null ? null : (JSON.parse(String(row.recipient_domains)) as string[]),
      recipientCount: row.recipient_count === null ? null : Number(row.recipient_count),
      scanMs: row.scan_ms === null ? null : Number(row.scan_ms),
      actMs: row.act_ms === null ? null : Number(row.act_ms),
      replyCode: row.reply_code === null ? null : Number(row.reply_code),
      ruleIds,
      categories,
    };
    const hash = entryHash(prevHash, entry);
    await site.exec(`UPDATE audit_log SET prev_hash = '${prevHash}', hash = '${hash}' WHERE seq = ${row.seq}`);
    prevHash = hash;
  }
  await site.exec(`UPDATE audit_head SET hash = '${prevHash}' WHERE id = 1`);
}

describe.each(ENGINES)('the keyed audit chain on %s', (engine) => {
  let site: StoreSite;
  beforeEach(async () => {
    site = await createSite(engine);
  });
  afterEach(async () => {
    await site.dispose();
  });

  async function storeWithEntries(count: number, key = randomBytes(32)) {
    const store = await site.open({ key });
    for (let index = 1; index <= count; index += 1) await store.audit.append(verdictEntry({ messageId: `m${index}`, sender: 'teacher.one@stmarys-example.sch.uk' }));
    return store;
  }

  it('says it is keyed, and catches history rewritten with every later link recomputed', async () => {
    const store = await storeWithEntries(4);
    expect(await store.audit.verify()).toMatchObject({ ok: true, entries: 4, scheme: 'hmac-sha256:v1', keyed: true });
    await rewriteHistory(site, 2, 'someone.else@stmarys-example.sch.uk');
    expect(await store.audit.verify()).toMatchObject({ ok: false, brokenAtSeq: 1, keyed: true });
  });

  it('cannot be downgraded: a chain relabelled unkeyed in the database fails, and is not re-keyed at the next start', async () => {
    const key = randomBytes(32);
    const store = await storeWithEntries(3, key);
    await store.close();
    await site.exec("UPDATE store_meta SET value = 'sha256' WHERE name = 'audit-chain'");
    const reopened = await site.open({ key });
    expect(reopened.audit.keyingProblem).toMatch(/broken at entry 1/);
    expect(await reopened.audit.verify()).toMatchObject({ ok: false, keyed: false, scheme: 'sha256' });
  });

  it('keys an existing unkeyed chain at the first start with a key, after checking it', async () => {
    const key = randomBytes(32);
    const store = await storeWithEntries(3, key);
    const hashes = async () => (await site.exec('SELECT hash FROM audit_log ORDER BY seq')).map((row) => String(row.hash));
    const keyedHashes = await hashes();
    await store.close();
    // Made as before the key: unkeyed links and no label; the next start re-keys it to the same links.
    await site.exec("DELETE FROM store_meta WHERE name = 'audit-chain'");
    await rewriteHistory(site, 1, 'teacher.one@stmarys-example.sch.uk');
    expect(await hashes()).not.toEqual(keyedHashes);
    const reopened = await site.open({ key });
    expect(reopened.audit.keyingProblem).toBeUndefined();
    expect(await hashes()).toEqual(keyedHashes);
    expect(await reopened.audit.verify()).toMatchObject({ ok: true, entries: 3, keyed: true });
  });

  it('a store opened with another key does not accept the chain', async () => {
    const store = await storeWithEntries(2);
    await store.close();
    await site.exec("DELETE FROM store_meta WHERE name LIKE 'key-check-%'");
    const other = await site.open({ key: randomBytes(32) });
    expect(await other.audit.verify()).toMatchObject({ ok: false, keyed: true });
  });
});

describe('canonical JSON', () => {
  it('is what the links cover, keys sorted', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });
});
