import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { runWorker } from '../../src/cli/worker-command.js';
import type { OutgoingMail } from '../../src/queue/outgoing-mail.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { SHARED_REDIS, startPrivateRedis, TEST_STORE_KEY } from './support/redis.js';
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
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([{ level: 50, code: 'redis-unsuitable', msg: expect.stringContaining('(maxmemory-policy volatile-lru); queued alerts could be lost') }]);
  });

  it('rejects flags it does not know', async () => {
    await expect(runWorker(['--listen', '127.0.0.1:25'], () => undefined)).rejects.toMatchObject({ code: 'usage' });
  });
});
