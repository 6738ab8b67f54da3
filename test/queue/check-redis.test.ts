import { afterEach, describe, expect, it } from 'vitest';
import { checkRedisForQueues, judge, parseInfo, withoutCredentials } from '../../src/queue/check-redis.js';
import { SHARED_REDIS, startPrivateRedis } from './support/redis.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('checkRedisForQueues against real redis-servers', () => {
  it('passes the shared Redis (noeviction, a recent version)', async () => {
    const check = await checkRedisForQueues(SHARED_REDIS.url);
    expect(check).toMatchObject({ ok: true, warnings: [] });
  });

  it('says clearly that a Redis evicting keys could lose queued alerts', async () => {
    const redis = await startPrivateRedis({ args: ['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru'] });
    cleanups.push(() => redis.stop());
    expect(await checkRedisForQueues(redis.url)).toEqual({
      ok: false,
      problems: [`Redis at ${redis.url} evicts keys under memory pressure (maxmemory-policy allkeys-lru); queued alerts could be lost. Set maxmemory-policy noeviction.`],
    });
  });

  it('says that nothing answers, and where, without the password in the URL', async () => {
    const redis = await startPrivateRedis();
    await redis.stop();
    const check = await checkRedisForQueues(`redis://:s3cret-word@127.0.0.1:${redis.port}`, { timeoutMs: 1_000 });
    expect(check.ok).toBe(false);
    const [problem] = check.ok ? [] : check.problems;
    expect(problem).toBe(`Redis at redis://127.0.0.1:${redis.port} does not answer (ECONNREFUSED); start it, or set \`redis:\` in the configuration to one that runs.`);
  });

  it('says when Redis wants a password it was not given', async () => {
    const redis = await startPrivateRedis({ args: ['--requirepass', 'correct-horse'] });
    cleanups.push(() => redis.stop());
    const check = await checkRedisForQueues(redis.url);
    expect(check.ok ? [] : check.problems).toEqual([`Redis at ${redis.url} refused the credentials (or needs some): put them in the URL, redis://USER:PASSWORD@HOST:PORT.`]);
    expect((await checkRedisForQueues(`redis://:correct-horse@127.0.0.1:${redis.port}`)).ok).toBe(true);
  });
});

describe('judge', () => {
  const info = (fields: string) => parseInfo(`# Server\r\n${fields.split(' ').join('\r\n')}\r\n`);

  it('refuses what BullMQ refuses (before 5.0.0), warns below its recommended 6.2.0, accepts 6.2 and later', () => {
    expect(judge('redis://r', info('redis_version:4.0.14 maxmemory_policy:noeviction'))).toEqual({
      ok: false,
      problems: ['Redis at redis://r is version 4.0.14; the queues (BullMQ) need 5.0.0 or later, and 6.2.0 or later is recommended. Upgrade Redis.'],
    });
    expect(judge('redis://r', info('redis_version:6.0.16 maxmemory_policy:noeviction'))).toEqual({
      ok: true,
      version: '6.0.16',
      warnings: ['Redis at redis://r is version 6.0.16; BullMQ recommends 6.2.0 or later.'],
    });
    expect(judge('redis://r', info('redis_version:6.2.0 maxmemory_policy:noeviction'))).toEqual({ ok: true, version: '6.2.0', warnings: [] });
    expect(judge('redis://r', info('redis_version:7.2.4 valkey_version:8.0.1 maxmemory_policy:noeviction'))).toEqual({ ok: true, version: '8.0.1', warnings: [] });
  });

  it('lists every problem at once', () => {
    const check = judge('redis://r', info('redis_version:4.0.0 maxmemory_policy:volatile-lru cluster_enabled:1'));
    expect(check.ok ? [] : check.problems).toHaveLength(3);
  });

  it('keeps credentials out of the address it names', () => {
    expect(withoutCredentials('redis://user:pw@cache.internal:6380/2')).toBe('redis://cache.internal:6380/2');
    expect(withoutCredentials('not a url')).toBe('the configured address');
  });
});
