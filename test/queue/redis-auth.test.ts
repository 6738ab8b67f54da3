import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureRedis, RedisAuthError } from '../../src/gateway/ensure-redis.js';
import { checkRedisForQueues } from '../../src/queue/check-redis.js';
import { bullMailQueue } from '../../src/queue/mail-queue.js';
import type { OutgoingMail } from '../../src/queue/outgoing-mail.js';
import { startQueueWorkers } from '../../src/queue/queue-workers.js';
import { queuesAt, startPrivateRedis, uniquePrefix } from './support/redis.js';
import type { Cleanups } from './support/workers.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Invented: a password and an ACL user for the tests' own redis-server.
const PASSWORD = 'invented-redis-password-7f3a';
const MAIL: OutgoingMail = { id: 'alert.auth.dpo', kind: 'alert', to: ['dpo@stmarys-example.sch.uk'], subject: 'Hallmonitor alert', text: 'An alert.\n', html: '<p>An alert.</p>' };

async function ping(url: string): Promise<string> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // ioredis reports a refusal during its ready check as an error event, then fails the connect as closed.
  let refusal: string | undefined;
  client.on('error', (error: Error) => (refusal ??= error.message.split(' ')[0]));
  try {
    await client.connect();
    return await client.ping();
  } catch (error) {
    return refusal ?? (error as Error).message.split(' ')[0]!;
  } finally {
    client.disconnect();
  }
}

async function privateRedis(args: string[]) {
  const redis = await startPrivateRedis({ args: ['--maxmemory-policy', 'noeviction', ...args] });
  cleanups.push(() => redis.stop());
  return redis;
}

describe('Redis with a password or an ACL user', () => {
  it('a redis-server started with --requirepass accepts the gateway with the password: check, queue and worker', async () => {
    const redis = await privateRedis(['--requirepass', PASSWORD]);
    const url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
    expect(await checkRedisForQueues(url)).toMatchObject({ ok: true });
    const prefix = uniquePrefix();
    const queue = bullMailQueue(queuesAt(url), { prefix });
    cleanups.push(() => queue.close());
    const sent: string[] = [];
    const running = await startQueueWorkers(queuesAt(url), { send: async (mail) => void sent.push(mail.id) }, { prefix });
    cleanups.push(() => running.close());
    await queue.enqueue(MAIL);
    await expect.poll(() => sent, { timeout: 10_000 }).toEqual([MAIL.id]);
  });

  it('without the password it is refused, and the start-up check says so without echoing any credential', async () => {
    const redis = await privateRedis(['--requirepass', PASSWORD]);
    const check = await checkRedisForQueues(`redis://:wrong-password@127.0.0.1:${redis.port}`);
    expect(check.ok).toBe(false);
    expect(JSON.stringify(check)).not.toContain('wrong-password');
    await expect(ensureRedis(`redis://127.0.0.1:${redis.port}`, await mkdtemp(join(tmpdir(), 'hm-redis-auth-')))).rejects.toBeInstanceOf(RedisAuthError);
  });

  it('an ACL user (Redis 6+) with its password works the same way', async () => {
    const redis = await privateRedis(['--user', 'default', 'off', '--user', 'hallmonitor', 'on', `>${PASSWORD}`, '~*', '&*', '+@all']);
    expect(await ping(`redis://127.0.0.1:${redis.port}`)).toBe('NOAUTH');
    const url = `redis://hallmonitor:${PASSWORD}@127.0.0.1:${redis.port}`;
    expect(await checkRedisForQueues(url)).toMatchObject({ ok: true });
    const queue = bullMailQueue(queuesAt(url), { prefix: uniquePrefix() });
    cleanups.push(() => queue.close());
    await queue.enqueue(MAIL);
  });
});

describe('the private Redis serve starts', () => {
  it('gets a generated password, kept in an owner-only file and never on its command line', async () => {
    const data = await mkdtemp(join(tmpdir(), 'hm-redis-private-'));
    const endpoint = await ensureRedis('redis://127.0.0.1:1', data);
    cleanups.push(() => endpoint.stop());
    expect(endpoint.private).toBe(true);
    const password = new URL(endpoint.url).password;
    expect(password).toMatch(/^[0-9a-f]{48}$/);
    expect(await ping(endpoint.url)).toBe('PONG');
    const port = new URL(endpoint.url).port;
    expect(await ping(`redis://127.0.0.1:${port}`)).toBe('NOAUTH');
    const configFile = join(data, 'redis', 'private-redis.conf');
    expect((await stat(configFile)).mode & 0o077).toBe(0);
    expect(await readFile(configFile, 'utf8')).toContain(password);
  });
});
