import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../src/store/audit-entry.js';
import { auditWriter } from '../../src/store/audit-writer.js';
import { openConfiguredStore } from '../../src/store/configured-store.js';
import type { Store } from '../../src/store/store.js';
import { verdictEntry } from './support/invented-records.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function store(): Promise<Store> {
  const opened = await openConfiguredStore({ data: await mkdtemp(join(tmpdir(), 'hm-audit-writer-')) });
  stores.push(opened);
  return opened;
}

describe('the audit writer (group commit)', () => {
  it('commits entries in order, in batches, and the chain verifies', async () => {
    const { audit } = await store();
    const batches: number[] = [];
    const writer = auditWriter({ appendAll: (entries) => (batches.push(entries.length), audit.appendAll(entries)) }, { maxBatch: 3, onError: () => undefined });
    for (let index = 0; index < 7; index += 1) writer.write(verdictEntry({ messageId: `m-${index}` }));
    await writer.flush();
    expect(batches).toEqual([3, 3, 1]);
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 7 });
    expect((await audit.forMessage('m-6'))[0]?.seq).toBe(7);
  });

  it('keeps entries a failed commit could not write, reports it, and writes them with the next commit', async () => {
    const { audit } = await store();
    const errors: number[] = [];
    let failures = 1;
    const flaky = {
      appendAll: (entries: readonly AuditEntry[]) => (failures-- > 0 ? Promise.reject(new Error('database away')) : audit.appendAll(entries)),
    };
    const writer = auditWriter(flaky, { maxDelayMs: 5, onError: (_error, pending) => errors.push(pending) });
    writer.write(verdictEntry({ messageId: 'kept' }));
    await writer.flush();
    expect(errors).toEqual([1]);
    await expect.poll(async () => (await audit.forMessage('kept')).length).toBe(1);
  });

  it("starts an idle writer's commit at the end of the turn of the event loop, not after a timer", async () => {
    const { audit } = await store();
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval'] });
    try {
      const writer = auditWriter(audit, { onError: () => undefined });
      // With setTimeout frozen, a commit waiting on a timer would never come.
      expect(await writer.write(verdictEntry({ messageId: 'prompt' }))).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('with durability "written", commits at that level and flushes to disk within syncWithinMs, and on flush()', async () => {
    const { audit } = await store();
    const levels: (string | undefined)[] = [];
    let synced = 0;
    const writer = auditWriter(
      {
        appendAll: (entries, durability) => (levels.push(durability), audit.appendAll(entries, durability)),
        syncToDisk: () => ((synced += 1), audit.syncToDisk()),
      },
      { durability: 'written', syncWithinMs: 20, onError: () => undefined },
    );
    expect(await writer.write(verdictEntry({ messageId: 'w-1' }))).toBe(true);
    expect(levels).toEqual(['written']);
    await expect.poll(() => synced).toBe(1);
    void writer.write(verdictEntry({ messageId: 'w-2' }));
    await writer.flush();
    expect(synced).toBe(2);
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 2 });
  });

  it('resolves a write only once its entry is committed: the reply that waits for it never outruns its record', async () => {
    const { audit } = await store();
    const writer = auditWriter(audit, { onError: () => undefined });
    expect(await writer.write(verdictEntry({ messageId: 'delivered-1' }))).toBe(true);
    expect(await audit.forMessage('delivered-1')).toHaveLength(1);
  });
});

describe('the audit writer with the store slowed down', () => {
  /** The real store, each commit taking `delayMs` longer: a database under load or on a slow disk. */
  function slowed(audit: Store['audit'], delayMs: number, during: { pendingSeen: number }, writer: () => { pending(): number }) {
    return {
      appendAll: async (entries: readonly AuditEntry[]) => {
        during.pendingSeen = Math.max(during.pendingSeen, writer().pending());
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return audit.appendAll(entries);
      },
    };
  }

  it('drops nothing under a burst far over its bound: writers wait for room, and every entry is committed in order', async () => {
    const { audit } = await store();
    const during = { pendingSeen: 0 };
    const errors: unknown[] = [];
    const writer = auditWriter(
      slowed(audit, 20, during, () => writer),
      { maxBatch: 50, maxPending: 100, maxDelayMs: 5, onError: (error) => errors.push(error) },
    );
    const count = 2_000;
    const results = await Promise.all(Array.from({ length: count }, (_, index) => writer.write(verdictEntry({ messageId: `burst-${index}` }))));
    expect(results.every(Boolean)).toBe(true);
    expect(errors).toEqual([]);
    expect(during.pendingSeen).toBeLessThanOrEqual(100);
    expect(await audit.verify()).toMatchObject({ ok: true, entries: count });
    expect((await audit.forMessage(`burst-${count - 1}`))[0]?.seq).toBe(count);
  });

  it('with the store away past its bound, lets the reply go with the entry kept, and writes it once the store is back', async () => {
    const { audit } = await store();
    let away = true;
    const writer = auditWriter(
      { appendAll: (entries: readonly AuditEntry[]) => (away ? Promise.reject(new Error('database away')) : audit.appendAll(entries)) },
      { maxDelayMs: 5, maxWaitMs: 200, onError: () => undefined },
    );
    const started = Date.now();
    expect(await writer.write(verdictEntry({ messageId: 'kept-through-outage' }))).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(writer.pending()).toBe(1);
    away = false;
    await expect.poll(async () => (await audit.forMessage('kept-through-outage')).length, { timeout: 5_000 }).toBe(1);
    expect(writer.pending()).toBe(0);
  });
});
