import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { runWorker } from '../../src/cli/worker-command.js';
import type { OutgoingMail } from '../../src/queue/outgoing-mail.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { freePort, SHARED_REDIS, startPrivateRedis, TEST_STORE_KEY } from './support/redis.js';
import { QUEUE_NAMES } from '../../src/queue/queue-names.js';
import { sharedMailQueue, type Cleanups } from './support/workers.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function configFile(lines: string[]): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'hm-worker-'));
  const path = join(directory, 'hallmonitor.yaml');
  // The tests' store key, which seals the jobs the tests' producer queues: the key every gateway and worker of a deployment shares.
  await writeFile(path, [`data: ${join(directory, 'data')}`, `quarantineKey: ${TEST_STORE_KEY.toString('base64')}`, ...lines, ''].join('\n'));
  return path;
}

const MAIL: OutgoingMail = { id: 'alert.w1.dpo', kind: 'alert', to: ['dpo@stmarys-example.sch.uk'], subject: 'Hallmonitor alert', text: 'An alert.\n', html: '<p>An alert.</p>' };

describe('hallmonitor worker', () => {
  it('sends what is queued through the configured next hop, from the postmaster, and stops with 0 when told', async () => {
    const sink = await startNextHop();
    cleanups.push(() => sink.close());
    const { queue, prefix } = sharedMailQueue(cleanups);
    const config = await configFile([`redis: ${SHARED_REDIS.url}`, `nextHop: ${sink.url}`, 'postmaster: postmaster@stmarys-example.sch.uk']);
    const lines: string[] = [];
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const status = runWorker(['--config', config], (line) => lines.push(line), { prefix, stop: stopped });
    await queue.enqueue(MAIL);
    await expect.poll(() => sink.received.length, { timeout: 10_000 }).toBe(1);
    expect((await simpleParser(sink.received[0]!.raw)).messageId).toBe('<alert.w1.dpo@stmarys-example.sch.uk>');
    stop();
    expect(await status).toBe(0);
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['hallmonitor worker started', 'hallmonitor worker stopped']);
  });

  it('refuses to start on a Redis that evicts keys, saying why, with status 1', async () => {
    const redis = await startPrivateRedis({ args: ['--maxmemory-policy', 'volatile-lru'] });
    cleanups.push(() => redis.stop());
    const config = await configFile([`redis: ${redis.url}`]);
    const lines: string[] = [];
    expect(await runWorker(['--config', config], (line) => lines.push(line), { stop: Promise.resolve() })).toBe(1);
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      { level: 50, code: 'redis-unsuitable', msg: expect.stringContaining('(maxmemory-policy volatile-lru); queued alerts could be lost') },
    ]);
  });

  it('serves its metrics (Prometheus text) on its own listener behind the metrics token: a forged job shows as refused', async () => {
    const { prefix } = sharedMailQueue(cleanups);
    const port = await freePort();
    const token = randomBytes(24).toString('hex');
    const config = await configFile([`redis: ${SHARED_REDIS.url}`, `workerMetrics: 127.0.0.1:${port}`, `metricsToken: ${token}`]);
    const lines: string[] = [];
    let stop: () => void = () => undefined;
    const status = runWorker(['--config', config], (line) => lines.push(line), { prefix, stop: new Promise<void>((resolve) => (stop = resolve)) });
    await expect.poll(() => lines.some((line) => line.includes('hallmonitor worker started')), { timeout: 20_000 }).toBe(true);
    expect(JSON.parse(lines.find((line) => line.includes('worker started'))!).metrics).toBe(`127.0.0.1:${port}`);
    const url = `http://127.0.0.1:${port}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer not-the-token' } })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // Whoever can write to Redis, without the key: BullMQ's own client.
    const attacker = new Queue(QUEUE_NAMES.mail, { connection: { url: SHARED_REDIS.url }, prefix });
    cleanups.push(() => attacker.close());
    await attacker.add('alert', { ...MAIL, id: 'alert.forged.dpo' }, { jobId: 'alert.forged.dpo' });
    const scrape = async () => {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return response.text();
    };
    await expect.poll(scrape, { timeout: 15_000 }).toMatch(/^hallmonitor_queue_jobs_refused_total\{queue="outgoing-mail",reason="job-unsigned"\} 1$/m);
    const text = await scrape();
    expect(text).toMatch(/^hallmonitor_queue_failed_jobs 1$/m);
    expect(text).toMatch(/^hallmonitor_process_resident_memory_bytes \d+/m);
    expect(text).not.toContain('dpo@stmarys-example.sch.uk');
    stop();
    expect(await status).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('takes --metrics HOST:PORT, and refuses anything else there', async () => {
    await expect(runWorker(['--metrics', 'everywhere'], () => undefined)).rejects.toMatchObject({ code: 'usage', message: expect.stringMatching(/--metrics takes HOST:PORT/) });
  });

  it('rejects flags it does not know', async () => {
    await expect(runWorker(['--listen', '127.0.0.1:25'], () => undefined)).rejects.toMatchObject({ code: 'usage' });
  });
});
