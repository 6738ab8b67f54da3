import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeys } from '../../src/cli/keys-command.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { makeKey, revokedKey } from '../crypto/support/keys.js';

let folder: string;
let dataDir: string;
let keyFile: string;
let fingerprint: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'hm-keys-cli-'));
  dataDir = join(folder, 'data');
  keyFile = join(folder, 'worker.asc');
  await writeFile(keyFile, (await makeKey('worker@agency.example.org')).publicKey);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function keys(...args: string[]): Promise<{ status: number; lines: string[] }> {
  const lines: string[] = [];
  const status = await runKeys(args, (line) => lines.push(line));
  return { status, lines };
}

async function refusal(...args: string[]): Promise<UsageError> {
  const error = await keys(...args).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

describe('hallmonitor keys', () => {
  it('imports a key file into DATA/keys/recipients and lists it, as text and as JSON lines', async () => {
    const imported = await keys('import', keyFile, '--data', dataDir, '--json');
    expect(imported.status).toBe(0);
    const [summary] = imported.lines.map((line) => JSON.parse(line) as { fingerprint: string; emails: string[]; expires: null; status: string });
    expect(summary).toMatchObject({ emails: ['worker@agency.example.org'], expires: null, status: 'imported' });
    fingerprint = summary!.fingerprint;
    expect(await readdir(join(dataDir, 'keys', 'recipients'))).toEqual([`${fingerprint}.asc`]);

    expect((await keys('list', '--data', dataDir)).lines).toEqual([`${fingerprint}  worker@agency.example.org  never expires`]);
    expect((await keys('list', '--data', dataDir, '--json')).lines.map((line) => JSON.parse(line))).toEqual([
      { fingerprint, emails: ['worker@agency.example.org'], expires: null },
    ]);
  });

  it('takes the data folder from --config', async () => {
    const config = join(folder, 'hallmonitor.yaml');
    await writeFile(config, `data: ${JSON.stringify(dataDir)}\n`);
    expect((await keys('list', '--config', config)).lines).toHaveLength(1);
  });

  it('refuses a revoked key with one line naming it, and stores nothing', async () => {
    const revoked = join(folder, 'revoked.asc');
    await writeFile(revoked, await revokedKey('old@agency.example.org'));
    const error = await refusal('import', revoked, '--data', dataDir);
    expect(error.message).toMatch(/^key [0-9A-F]{40} \(old@agency\.example\.org\) has been revoked \(key-revoked\)$/);
    expect((await keys('list', '--data', dataDir)).lines).toHaveLength(1);
  });

  it('answers bad usage and unreadable files with a UsageError (exit 2)', async () => {
    expect((await refusal('import', join(folder, 'missing.asc'), '--data', dataDir)).message).toContain('cannot read the key file (ENOENT)');
    expect((await refusal('frobnicate')).message).toContain('usage: hallmonitor keys');
    expect((await refusal('list', '--bogus')).message).toContain("Unknown option '--bogus'");
    expect((await refusal('remove', 'nobody@agency.example.org', '--data', dataDir)).message).toContain('(key-not-found)');
  });

  it('removes a key by email', async () => {
    expect((await keys('remove', 'worker@agency.example.org', '--data', dataDir)).lines).toEqual([`removed ${fingerprint}  worker@agency.example.org  never expires`]);
    expect((await keys('list', '--data', dataDir)).lines).toEqual(['no recipient keys']);
  });
});
