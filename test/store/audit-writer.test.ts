import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
});
