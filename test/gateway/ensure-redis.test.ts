import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ensureRedis } from '../../src/gateway/ensure-redis.js';

async function ping(url: string): Promise<string> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.ping();
  } catch {
    return 'unreachable';
  } finally {
    client.disconnect();
  }
}

describe('ensureRedis', () => {
  it('uses the configured Redis when it answers', async () => {
    const endpoint = await ensureRedis('redis://127.0.0.1:6379', await mkdtemp(join(tmpdir(), 'hm-redis-')));
    expect(endpoint).toMatchObject({ url: 'redis://127.0.0.1:6379', private: false });
    await endpoint.stop();
    expect(await ping('redis://127.0.0.1:6379')).toBe('PONG');
  });

  it('starts a private redis-server under the data folder when none answers, and stops it', async () => {
    const data = await mkdtemp(join(tmpdir(), 'hm-redis-'));
    const endpoint = await ensureRedis('redis://127.0.0.1:1', data);
    expect(endpoint.private).toBe(true);
    expect(endpoint.url).not.toBe('redis://127.0.0.1:1');
    expect(await ping(endpoint.url)).toBe('PONG');
    expect((await stat(join(data, 'redis'))).isDirectory()).toBe(true);
    await endpoint.stop();
    expect(await ping(endpoint.url)).toBe('unreachable');
  });
});
