import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BodyCipher } from '../../src/store/body-cipher.js';
import { parseQuarantineKey, quarantineKeyPath } from '../../src/store/quarantine-key.js';
import { inventedRecord } from './support/invented-records.js';
import { createSite, ENGINES, type StoreSite } from './support/store-engines.js';

describe('quarantine key', () => {
  it('accepts 32 bytes as base64 or hex and refuses anything else', () => {
    const key = randomBytes(32);
    expect(parseQuarantineKey(key.toString('base64')).equals(key)).toBe(true);
    expect(parseQuarantineKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseQuarantineKey(key).equals(key)).toBe(true);
    for (const bad of ['', 'short', randomBytes(16).toString('base64'), randomBytes(31)]) {
      expect(() => parseQuarantineKey(bad)).toThrow(expect.objectContaining({ code: 'key-invalid' }));
    }
  });

  it('opens only what it sealed, for the same record and field', () => {
    const cipher = new BodyCipher({ version: 1, key: randomBytes(32) });
    const sealed = cipher.seal(Buffer.from('plain words'), 'record-1/raw');
    expect(sealed[0]).toBe(1);
    expect(cipher.open(sealed, 'record-1/raw').toString()).toBe('plain words');
    expect(() => cipher.open(sealed, 'record-2/raw')).toThrow(expect.objectContaining({ code: 'key-mismatch' }));
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => cipher.open(flipped, 'record-1/raw')).toThrow(expect.objectContaining({ code: 'key-mismatch' }));
  });

  it('opens records sealed under a retired key version and names a missing one', () => {
    const old = { version: 1, key: randomBytes(32) };
    const sealedBefore = new BodyCipher(old).seal(Buffer.from('older'), 'r');
    const rotated = new BodyCipher({ version: 2, key: randomBytes(32) }, [old]);
    expect(rotated.open(sealedBefore, 'r').toString()).toBe('older');
    expect(rotated.seal(Buffer.from('newer'), 'r')[0]).toBe(2);
    expect(() => new BodyCipher({ version: 2, key: randomBytes(32) }).open(sealedBefore, 'r')).toThrow(/version 1, which is not configured/);
  });
});

describe('quarantine key file', () => {
  let site: StoreSite;
  beforeEach(async () => {
    site = await createSite('sqlite');
  });
  afterEach(async () => {
    await site.dispose();
  });

  it('refuses to start when the key file is readable by others, saying how to fix it', async () => {
    const keyFile = quarantineKeyPath(site.dataDir);
    await mkdir(path.dirname(keyFile), { recursive: true });
    await writeFile(keyFile, `${randomBytes(32).toString('base64')}\n`);
    await chmod(keyFile, 0o644);
    await expect(site.open()).rejects.toMatchObject({ code: 'key-file-unsafe', message: expect.stringContaining(`chmod 600 ${keyFile}`) });
    await chmod(keyFile, 0o600);
    await expect(site.open()).resolves.toBeDefined();
  });
});

describe.each(ENGINES)('a wrong key on %s', (engine) => {
  let site: StoreSite;
  beforeEach(async () => {
    site = await createSite(engine);
  });
  afterEach(async () => {
    await site.dispose();
  });

  it('stops the start with a clear error rather than returning garbage', async () => {
    const key = randomBytes(32).toString('base64');
    const first = await site.open({ key });
    await first.quarantine.hold(inventedRecord({ id: 'kept' }));
    await first.close();
    await expect(site.open({ key: randomBytes(32).toString('hex') })).rejects.toMatchObject({
      code: 'key-mismatch',
      disposition: 'configuration',
      message: expect.stringContaining('not the key this database was written with'),
    });
    const rotated = await site.open({ key: randomBytes(32), keyVersion: 2, retiredKeys: [{ version: 1, key }] });
    expect((await rotated.quarantine.open('kept')).sizeBytes).toBeGreaterThan(0);
  });
});

describe('opening postgres', () => {
  let site: StoreSite;
  beforeEach(async () => {
    site = await createSite('postgres');
  });
  afterEach(async () => {
    await site.dispose();
  });

  it('lets several gateways start at once on a fresh schema with one key', async () => {
    const key = randomBytes(32);
    const stores = await Promise.all([site.open({ key }), site.open({ key }), site.open({ key })]);
    const { id } = await stores[0]!.quarantine.hold(inventedRecord());
    expect((await stores[2]!.quarantine.open(id)).sizeBytes).toBeGreaterThan(0);
  });

  it('refuses a database URL that is not PostgreSQL', async () => {
    await expect(site.open({ databaseUrl: 'mysql://127.0.0.1/test' })).rejects.toMatchObject({ code: 'database-url' });
  });
});
