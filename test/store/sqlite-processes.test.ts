import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verdictEntry } from './support/invented-records.js';
import { createSite, type StoreSite } from './support/store-engines.js';

/** Another process (as `hallmonitor quarantine release` beside `serve`) holding SQLite's write lock for a while. */
const HOLD_WRITE_LOCK = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.exec('BEGIN IMMEDIATE');
console.log('locked');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 700);
db.exec('COMMIT');
db.close();
`;

describe('sqlite shared with another process', () => {
  let site: StoreSite;
  beforeEach(async () => {
    site = await createSite('sqlite');
  });
  afterEach(async () => {
    await site.dispose();
  });

  it('waits for the other writer instead of failing, and the chain stays whole', async () => {
    const store = await site.open();
    await store.audit.append(verdictEntry({ messageId: 'before' }));
    const child = spawn(process.execPath, ['-e', HOLD_WRITE_LOCK, path.join(site.dataDir, 'hallmonitor.sqlite')], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await once(child.stdout, 'data');
    const exited = once(child, 'exit');
    const appended = await store.audit.append(verdictEntry({ messageId: 'during' }));
    const [code] = await exited;
    expect(code).toBe(0);
    expect(appended.seq).toBe(2);
    expect(await store.audit.verify()).toMatchObject({ ok: true, entries: 2 });
  });
});
