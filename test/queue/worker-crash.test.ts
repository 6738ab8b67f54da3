import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../src/queue/queue-names.js';
import type { OutgoingMail } from '../../src/queue/outgoing-mail.js';
import { spoolDirectory } from '../actions/support/spool.js';
import { startHoldingSink } from './support/holding-sink.js';
import { SHARED_REDIS, TEST_STORE_KEY } from './support/redis.js';
import { inspect, sharedMailQueue, workersTo, type Cleanups } from './support/workers.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const CHILD = resolve(import.meta.dirname, 'support/crash-worker.mjs');
const BUILT = resolve(import.meta.dirname, '../../dist/src/queue/queue-workers.js');
const LOCK_MS = 1_000;

const ALERT: OutgoingMail = {
  id: 'alert.spool-crash.dpo',
  kind: 'alert',
  to: ['dpo@stmarys-example.sch.uk'],
  subject: 'Hallmonitor alert: misdirected',
  text: 'An alert.\n',
  html: '<p>An alert.</p>',
};

async function startChildWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await new Promise<void>((ready, fail) => {
    child.once('exit', (code) => fail(new Error(`the worker process exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) ready();
    });
  });
  return child;
}

describe('a worker killed mid-job', () => {
  it('leaves the job to run again on another worker, and the mail is accepted once', async () => {
    expect(existsSync(BUILT), 'run `npm run build` first: the worker process runs the built code').toBe(true);
    const sink = await startHoldingSink();
    cleanups.push(() => sink.close());
    sink.hold(1);
    const { queue, prefix } = sharedMailQueue(cleanups);
    await queue.enqueue(ALERT);
    const child = await startChildWorker({
      REDIS_URL: SHARED_REDIS.url,
      PREFIX: prefix,
      NEXT_HOP: sink.url,
      SPOOL: await spoolDirectory(),
      LOCK_MS: String(LOCK_MS),
      STORE_KEY: TEST_STORE_KEY.toString('hex'),
    });
    await sink.held;
    const jobs = inspect(cleanups, QUEUE_NAMES.mail, prefix);
    expect(await jobs.getActiveCount()).toBe(1);
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
    expect(sink.accepted).toEqual([]);

    await workersTo(cleanups, sink.url, prefix, {}, { lockDurationMs: LOCK_MS, stalledIntervalMs: 250 });
    await expect.poll(() => sink.accepted.length, { timeout: 15_000 }).toBe(1);
    await expect.poll(async () => (await jobs.getJob(ALERT.id))?.finishedOn !== undefined, { timeout: 5_000 }).toBe(true);
    expect(sink.accepted).toHaveLength(1);
    expect(await sink.messageIds()).toEqual(['<alert.spool-crash.dpo@stmarys-example.sch.uk>']);
    expect((await jobs.getJob(ALERT.id))?.attemptsStarted).toBe(2);
    expect(await queue.failedCount()).toBe(0);
  });
});
