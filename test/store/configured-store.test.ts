import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openConfiguredStore } from '../../src/store/configured-store.js';
import { inventedRecord } from './support/invented-records.js';

describe('the store as the configuration opens it', () => {
  it('rotates the quarantine key: a new key and version seal new records, the retired key still opens the old', async () => {
    const data = await mkdtemp(join(tmpdir(), 'hm-rotation-'));
    const first = randomBytes(32).toString('base64');
    const second = randomBytes(32).toString('base64');
    const before = await openConfiguredStore({ data, quarantineKey: first });
    await before.quarantine.hold({ ...inventedRecord(), id: 'sealed-with-v1' });
    await before.close();

    await expect(openConfiguredStore({ data, quarantineKey: second })).rejects.toMatchObject({ code: 'key-mismatch' });

    const after = await openConfiguredStore({ data, quarantineKey: second, quarantineKeyVersion: 2, retiredQuarantineKeys: [{ version: 1, key: first }] });
    try {
      await after.quarantine.hold({ ...inventedRecord(), id: 'sealed-with-v2' });
      expect((await after.quarantine.open('sealed-with-v1')).subject).toBe(inventedRecord().subject);
      expect((await after.quarantine.open('sealed-with-v2')).subject).toBe(inventedRecord().subject);
    } finally {
      await after.close();
    }
  });
});
