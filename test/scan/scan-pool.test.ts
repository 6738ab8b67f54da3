import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SchoolSources } from '../../src/config/school-sources.js';
import { loadSchool } from '../../src/scan/load-school.js';
import { createScanPool, ScanPoolError, ScanPoolStartError, type ScanPool } from '../../src/scan/scan-pool.js';
import { scanMessage } from '../../src/scan/scan-message.js';

// The pool runs the built worker (dist/src/scan/scan-worker.js): `npm test` builds first.
const SCHOOL: SchoolSources = {
  id: 'st-marys-example',
  domains: ['stmarys-example.sch.uk'],
  rosterPath: resolve('fixtures/roster/pupils.csv'),
  staffPath: resolve('fixtures/roster/staff.csv'),
};
const ENVELOPE = { mailFrom: 'teacher@stmarys-example.sch.uk', rcptTo: ['someone@example.org'] };
const FAULTY_WORKER = new URL('./support/faulty-scan-worker.mjs', import.meta.url);

function faulty(kind: 'crash' | 'hang'): Buffer {
  return Buffer.from(`From: teacher@stmarys-example.sch.uk\r\nTo: someone@example.org\r\nX-Test-Fault: ${kind}\r\nSubject: Trip\r\n\r\nHello.\r\n`);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('the scan pool', () => {
  let pool: ScanPool;
  beforeAll(async () => {
    pool = await createScanPool({ schools: [SCHOOL], size: 2 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('gives the same findings and verdict as a scan in this thread, from bytes or from a file', async () => {
    const file = resolve('fixtures/corpus/health-to-parent.eml');
    const bytes = await readFile(file);
    const loaded = await loadSchool(SCHOOL);
    const here = await scanMessage(bytes, loaded.school, loaded.detectors, ENVELOPE);
    const fromBytes = await pool.scan(bytes, ENVELOPE);
    const fromFile = await pool.scan(file, ENVELOPE);
    expect(here.findings.length).toBeGreaterThan(0);
    expect(fromBytes.findings).toEqual(here.findings);
    expect(fromBytes.verdict).toEqual(here.verdict);
    expect(fromFile.verdict).toEqual(here.verdict);
    expect(bytes.equals(await readFile(file)), 'the caller’s buffer is left whole').toBe(true);
  });

  it('scans many messages at once, each getting its own result', async () => {
    const clean = await readFile('fixtures/corpus/clean-trip-letter.eml');
    const health = await readFile('fixtures/corpus/health-to-parent.eml');
    const results = await Promise.all(Array.from({ length: 12 }, (_, index) => pool.scan(index % 2 ? health : clean, ENVELOPE)));
    expect(results.map((result) => result.verdict.action)).toEqual(results.map((_, index) => (index % 2 ? results[1]!.verdict.action : 'deliver')));
    expect(results[1]!.verdict.action).not.toBe('deliver');
  });
});

describe('a scan worker that fails', () => {
  let pool: ScanPool;
  const faults: string[] = [];
  beforeAll(async () => {
    pool = await createScanPool({ schools: [SCHOOL], size: 1, workerScript: FAULTY_WORKER, scanTimeoutMs: 1_000, onWorkerFault: ({ reason }) => faults.push(reason) });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('fails only the message it held when it dies mid-scan, and a fresh worker scans the next', async () => {
    const clean = await readFile('fixtures/corpus/clean-trip-letter.eml');
    const crashed = pool.scan(faulty('crash'), ENVELOPE);
    const queued = pool.scan(clean, ENVELOPE);
    const error = await rejection(crashed);
    expect(error).toBeInstanceOf(ScanPoolError);
    expect((error as ScanPoolError).code).toBe('worker-failed');
    expect((await queued).verdict.action).toBe('deliver');
    expect(faults).toContain('worker-failed');
  });

  it('fails the message when the worker hangs, and replaces the worker', async () => {
    const error = await rejection(pool.scan(faulty('hang'), ENVELOPE));
    expect((error as ScanPoolError).code).toBe('scan-timeout');
    expect((await pool.scan(await readFile('fixtures/corpus/clean-trip-letter.eml'), ENVELOPE)).verdict.action).toBe('deliver');
  });
});

describe('starting a scan pool', () => {
  it('fails when a worker cannot load the schools', async () => {
    const error = await rejection(createScanPool({ schools: [{ ...SCHOOL, rosterPath: resolve('fixtures/roster/no-such-file.csv') }], size: 1 }));
    expect(error).toBeInstanceOf(ScanPoolStartError);
  });

  it('refuses scans once closed', async () => {
    const pool = await createScanPool({ schools: [{ domains: ['stmarys-example.sch.uk'] }], size: 1 });
    await pool.close();
    expect(((await rejection(pool.scan(Buffer.from('Subject: x\r\n\r\nx\r\n'), ENVELOPE))) as ScanPoolError).code).toBe('closed');
  });
});
