import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quarantineKeyPath } from '../../src/store/quarantine-key.js';
import { BODY_PHRASE, inventedRecord, PUPIL_NAME, SUBJECT_PHRASE, verdictEntry } from './support/invented-records.js';
import { createSite, type StoreSite } from './support/store-engines.js';

/** Every file the SQLite store leaves under the data directory, the WAL and shared-memory files included. */
async function databaseFiles(dataDir: string): Promise<Buffer[]> {
  const names = (await readdir(dataDir)).filter((name) => name.startsWith('hallmonitor.sqlite'));
  return Promise.all(names.map((name) => readFile(path.join(dataDir, name))));
}

describe('quarantine at rest on sqlite', () => {
  let site: StoreSite;
  beforeEach(async () => {
    site = await createSite('sqlite');
  });
  afterEach(async () => {
    await site.dispose();
  });

  it('writes no readable body, subject or matched pupil name to the database files', async () => {
    const store = await site.open();
    const { id } = await store.quarantine.hold(inventedRecord(), verdictEntry());
    expect((await store.quarantine.open(id)).raw.toString()).toContain(BODY_PHRASE);

    const files = await databaseFiles(site.dataDir);
    expect(files.map((file) => file.length).reduce((a, b) => a + b)).toBeGreaterThan(0);
    // The sanity check that the grep can find things: the envelope sender is stored in clear by design.
    expect(files.some((file) => file.includes('teacher.one@stmarys-example.sch.uk'))).toBe(true);
    for (const phrase of [BODY_PHRASE, SUBJECT_PHRASE, PUPIL_NAME, 'Quillfeather', 'A123456789012']) {
      for (const encoding of ['utf8', 'utf16le'] as const) {
        expect(
          files.some((file) => file.includes(Buffer.from(phrase, encoding))),
          `${phrase} (${encoding})`,
        ).toBe(false);
      }
    }
  });

  it('creates the key file 0600 in a 0700 folder at first start and reuses it', async () => {
    const first = await site.open();
    const { id } = await first.quarantine.hold(inventedRecord());
    await first.close();
    const keyFile = quarantineKeyPath(site.dataDir);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(keyFile))).mode & 0o777).toBe(0o700);
    expect((await readFile(keyFile, 'utf8')).trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);

    const second = await site.open();
    expect((await second.quarantine.open(id)).subject).toContain(PUPIL_NAME);
  });
});
