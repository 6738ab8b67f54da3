/**
 * What the activity explorer costs: the audit's group commit with a line for each verdict that found something,
 * migration 0010's backfill of lines from audit entries already written, and an explorer page filtered by rule.
 * CPU time as well as wall time, since the machine may be shared. SQLite in a temporary folder; nothing else needed.
 * `npm run bench:activity` (ENTRIES=20000 by default; a fifth of them clean mail, which writes no line).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { VerdictAuditEntry } from '../src/store/audit-entry.js';
import { openStore } from '../src/store/open-store.js';

const ENTRIES = Number(process.env.ENTRIES ?? 20_000);
const BATCH = 100;

function entry(n: number): VerdictAuditEntry {
  const clean = n % 5 === 0;
  return {
    kind: 'verdict',
    messageId: `bench-${n}`,
    schoolId: `school-${n % 3}`,
    action: clean ? 'deliver' : 'encrypt',
    ruleIds: clean ? [] : ['health-external'],
    categories: clean ? {} : { 'sensitive/health': 1 },
    sender: `teacher${n % 40}@school.example.sch.uk`,
    recipientDomains: ['example.org'],
    recipientCount: 1,
    timings: { scanMs: 1, actMs: 1 },
    replyCode: 250,
    at: new Date(Date.UTC(2026, 9, 1) + n * 1000),
  };
}

async function measured<T>(what: string, run: () => Promise<T>): Promise<T> {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const result = await run();
  const used = process.cpuUsage(cpu);
  console.log(`${what}: CPU ${((used.user + used.system) / 1000).toFixed(0)} ms, wall ${(performance.now() - wall).toFixed(0)} ms`);
  return result;
}

async function main(): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'hm-bench-activity-'));
  try {
    let store = await openStore({ dataDir: folder });
    await measured(`appendAll of ${ENTRIES} verdict entries in batches of ${BATCH} (four in five with a finding)`, async () => {
      for (let start = 0; start < ENTRIES; start += BATCH)
        await store.audit.appendAll(
          Array.from({ length: Math.min(BATCH, ENTRIES - start) }, (_, index) => entry(start + index)),
          'written',
        );
    });
    await store.close();
    // Back to before migration 0010, so that opening the store runs it again and fills the lines from the audit.
    const database = new Database(join(folder, 'hallmonitor.sqlite'));
    database.exec(
      "DELETE FROM kysely_migration WHERE name = '0010-activity'; DROP TABLE false_positive_rules; DROP TABLE false_positives; DROP TABLE activity; ALTER TABLE alert_inbox DROP COLUMN justification_category;",
    );
    database.close();
    store = await measured(`opening the store: migration 0010 fills the lines from ${ENTRIES} audit entries`, () => openStore({ dataDir: folder }));
    console.log(`lines: ${await store.activity.count()}`);
    await measured('20 explorer pages filtered by rule (50 lines and the count)', async () => {
      for (let page = 0; page < 20; page += 1)
        await Promise.all([store.activity.list({ ruleId: 'health-external', limit: 50, offset: page * 50 }), store.activity.count({ ruleId: 'health-external' })]);
    });
    await store.close();
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
