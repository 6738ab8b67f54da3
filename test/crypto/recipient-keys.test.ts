import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyError } from '../../src/crypto/key-error.js';
import { findEncryptionKey, importKeys, listKeys, recipientKeyDirectory, removeKey } from '../../src/crypto/recipient-keys.js';
import { GpgHome } from './support/gpg.js';
import { makeKey, revokedKey, signOnlyKey } from './support/keys.js';

// Keys made in the tests are created about now: a minute ahead keeps them from being not yet valid.
const NOW = new Date(Date.now() + 60_000);
const DAY = 24 * 60 * 60;
const daysFromNow = (days: number) => new Date(NOW.getTime() + days * DAY * 1000);

let gpg: GpgHome;
let dataDir: string;

beforeAll(async () => {
  gpg = await GpgHome.create();
  dataDir = await mkdtemp(join(tmpdir(), 'hm-keys-'));
});

afterAll(async () => {
  await gpg.remove();
  await rm(dataDir, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<KeyError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KeyError);
  return error as KeyError;
}

describe('the recipient keyring', () => {
  it('imports a GnuPG key as one armored file per fingerprint and finds it by address, in any case', async () => {
    const armored = await gpg.generateKey('Social Worker <Worker@Agency.Example.org>');
    const [summary] = await importKeys(dataDir, armored, NOW);
    expect(summary?.emails).toEqual(['worker@agency.example.org']);
    expect(summary?.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(await readdir(recipientKeyDirectory(dataDir))).toContain(`${summary?.fingerprint}.asc`);
    expect((await stat(join(recipientKeyDirectory(dataDir), `${summary?.fingerprint}.asc`))).mode & 0o777).toBe(0o644);
    const key = await findEncryptionKey(dataDir, 'WORKER@agency.example.org', NOW);
    expect(key?.getFingerprint().toUpperCase()).toBe(summary?.fingerprint);
    expect(await findEncryptionKey(dataDir, 'nobody@agency.example.org', NOW)).toBeUndefined();
  });

  it('stores only the public part of a secret key', async () => {
    const { privateKey } = await makeKey('secret-holder@agency.example.org');
    const [summary] = await importKeys(dataDir, privateKey, NOW);
    const { readFile } = await import('node:fs/promises');
    const stored = await readFile(join(recipientKeyDirectory(dataDir), `${summary?.fingerprint}.asc`), 'utf8');
    expect(stored).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect(stored).not.toContain('PRIVATE');
  });

  it('refuses an expired key, naming it', async () => {
    const { publicKey } = await makeKey('expired@agency.example.org', { created: daysFromNow(-400), lifetimeSeconds: 30 * DAY });
    const error = await refusal(importKeys(dataDir, publicKey, NOW));
    expect(error.code).toBe('key-expired');
    expect(error.message).toContain('expired@agency.example.org');
    expect(error.message).not.toContain('BEGIN PGP');
  });

  it('refuses a revoked key', async () => {
    const error = await refusal(importKeys(dataDir, await revokedKey('revoked@agency.example.org'), NOW));
    expect(error.code).toBe('key-revoked');
    expect(error.message).toContain('revoked@agency.example.org');
  });

  it('refuses a key that cannot encrypt', async () => {
    const error = await refusal(importKeys(dataDir, await signOnlyKey('signer@agency.example.org'), NOW));
    expect(error.code).toBe('key-unusable');
    expect(error.message).toContain('encryption');
  });

  it('refuses a file that is not a key, and stores nothing from a file with one bad key', async () => {
    expect((await refusal(importKeys(dataDir, 'not a key at all', NOW))).code).toBe('key-unreadable');
    const good = await makeKey('good-neighbour@agency.example.org');
    const bad = await revokedKey('bad-neighbour@agency.example.org');
    expect((await refusal(importKeys(dataDir, `${good.publicKey}\n${bad}`, NOW))).code).toBe('key-revoked');
    expect(await findEncryptionKey(dataDir, 'good-neighbour@agency.example.org', NOW)).toBeUndefined();
  });

  it('checks expiry again at use time', async () => {
    const created = new Date(Math.floor(daysFromNow(-10).getTime() / 1000) * 1000);
    const { publicKey } = await makeKey('short-lived@agency.example.org', { created, lifetimeSeconds: 60 * DAY });
    await importKeys(dataDir, publicKey, NOW);
    expect(await findEncryptionKey(dataDir, 'short-lived@agency.example.org', NOW)).toBeDefined();
    expect(await findEncryptionKey(dataDir, 'short-lived@agency.example.org', daysFromNow(100))).toBeUndefined();
    const listed = (await listKeys(dataDir)).find((key) => key.emails.includes('short-lived@agency.example.org'));
    expect(listed?.expires?.getTime()).toBe(created.getTime() + 60 * DAY * 1000);
  });

  it('removes by email or by fingerprint, and says when there is nothing to remove', async () => {
    const { publicKey } = await makeKey('leaver@agency.example.org');
    const [summary] = await importKeys(dataDir, publicKey, NOW);
    expect((await removeKey(dataDir, 'Leaver@agency.example.org')).map((key) => key.fingerprint)).toEqual([summary?.fingerprint]);
    expect(await findEncryptionKey(dataDir, 'leaver@agency.example.org', NOW)).toBeUndefined();
    await importKeys(dataDir, publicKey, NOW);
    await removeKey(dataDir, summary!.fingerprint.toLowerCase().replace(/(.{4})/g, '$1 '));
    expect((await listKeys(dataDir)).map((key) => key.fingerprint)).not.toContain(summary?.fingerprint);
    expect((await refusal(removeKey(dataDir, 'leaver@agency.example.org'))).code).toBe('key-not-found');
  });
});
