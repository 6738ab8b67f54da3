import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openConfiguredStore } from '../../src/store/configured-store.js';
import { inventedRecord, verdictEntry } from '../store/support/invented-records.js';
import { runCli } from './run-cli.js';

async function dataWithOneHeld(): Promise<string> {
  const data = await mkdtemp(join(tmpdir(), 'hm-quarantine-cli-'));
  const store = await openConfiguredStore({ data });
  try {
    await store.quarantine.hold({ ...inventedRecord(), id: 'held-1' }, verdictEntry({ messageId: 'held-1' }));
  } finally {
    await store.close();
  }
  return data;
}

describe('hallmonitor quarantine list', () => {
  it('prints one JSON object per held message in the shape docs/architecture.md, "Administration commands" gives, and no content', async () => {
    const data = await dataWithOneHeld();
    const run = runCli(['quarantine', 'list', '--json', '--data', data]);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      {
        id: 'held-1',
        receivedAt: '2026-11-20T10:00:00.000Z',
        from: 'teacher.one@stmarys-example.sch.uk',
        rcpt: ['parent@example.org', 'other@example.net'],
        categories: ['pupil-name', 'sensitive/health'],
        status: 'held',
      },
    ]);
    expect(run.stdout).not.toContain('Quillfeather');
  });

  it('filters by status and refuses an unknown one with exit 2', async () => {
    const data = await dataWithOneHeld();
    expect(runCli(['quarantine', 'list', '--status', 'released', '--data', data]).stdout.trim()).toBe('nothing in quarantine');
    const bad = runCli(['quarantine', 'list', '--status', 'lost', '--data', data]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--status must be one of held, releasing, released, rejected, expired/);
  });
});

describe('hallmonitor quarantine delete', () => {
  it('destroys the held body at once with the reason in the audit log, and refuses without a reason or once done', async () => {
    const data = await dataWithOneHeld();
    const noReason = runCli(['quarantine', 'delete', 'held-1', '--data', data]);
    expect(noReason.status).toBe(2);
    expect(noReason.stderr).toMatch(/needs --reason/);

    const run = runCli(['quarantine', 'delete', 'held-1', '--reason', 'DSL dealing with the sender', '--json', '--data', data]);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ id: 'held-1', status: 'deleted' });
    const store = await openConfiguredStore({ data });
    try {
      await expect(store.quarantine.open('held-1')).rejects.toMatchObject({ code: 'not-found' });
      expect(await store.quarantine.find('held-1')).toMatchObject({ status: 'deleted', bodyDestroyed: true });
      expect((await store.audit.forMessage('held-1')).map((entry) => [entry.kind, entry.action, entry.reason])).toEqual([
        ['verdict', 'quarantine', null],
        ['human', 'delete', 'DSL dealing with the sender'],
      ]);
    } finally {
      await store.close();
    }

    const again = runCli(['quarantine', 'delete', 'held-1', '--reason', 'again', '--data', data]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/held-1 is deleted, not held/);
  });
});

describe('hallmonitor audit', () => {
  it('verify says the chain is intact, and exits 1 naming the entry once a row is altered behind its back', async () => {
    const data = await dataWithOneHeld();
    const intact = runCli(['audit', 'verify', '--data', data]);
    expect(intact.status, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/audit chain intact: 1 entries/);
    const database = new Database(join(data, 'hallmonitor.sqlite'));
    database.prepare("UPDATE audit_log SET action = 'deliver'").run();
    database.close();
    const broken = runCli(['audit', 'verify', '--data', data, '--json']);
    expect(broken.status).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, brokenAtSeq: 1 });
  });

  it('verify exits 1 when the newest entry was deleted in the database and the head row set back', async () => {
    const data = await dataWithOneHeld();
    const intact = runCli(['audit', 'verify', '--data', data]);
    expect(intact.stdout).toMatch(/anchored outside the database at entry 1/);
    const database = new Database(join(data, 'hallmonitor.sqlite'));
    database.exec(`DELETE FROM audit_categories; DELETE FROM audit_rules; DELETE FROM incidents; DELETE FROM audit_log; UPDATE audit_head SET seq = 0, hash = '${'0'.repeat(64)}'`);
    database.close();
    const truncated = runCli(['audit', 'verify', '--data', data]);
    expect(truncated.status).toBe(1);
    expect(truncated.stdout).toMatch(/BROKEN at entry 1: the chain ends at entry 0, but entry 1 was written/);
  }, 90_000);

  it('incidents prints the near-miss register as CSV', async () => {
    const data = await dataWithOneHeld();
    const run = runCli(['audit', 'incidents', '--data', data]);
    expect(run.status, run.stderr).toBe(0);
    const [header, row] = run.stdout.trim().split('\n');
    expect(header).toMatch(/^[a-z_ ,]+/i);
    expect(row).toContain('held-1');
    expect(run.stdout).toMatch(/Failure to redact|Unencrypted/i);
  });
});
