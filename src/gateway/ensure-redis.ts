import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { Redis } from 'ioredis';

/** Redis for the queues: the configured one, or a private one this process started and will stop. */
export interface RedisEndpoint {
  readonly url: string;
  /** True when serve started its own redis-server under the data folder. */
  readonly private: boolean;
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  readonly code = 'redis-unavailable';
  constructor(url: string) {
    super(
      `no Redis answers at ${url}, and redis-server is not on PATH to start a private one. ` +
        'Install it (Debian: apt-get install redis-server) or set `redis:` in the configuration.',
    );
    this.name = 'RedisUnavailableError';
  }
}

/**
 * Uses the configured Redis when it answers; otherwise starts `redis-server` from PATH on a free
 * loopback port with its files under DATA/redis (append-only, so queued notices survive a restart).
 */
export async function ensureRedis(url: string, dataDirectory: string): Promise<RedisEndpoint> {
  if (await answers(url)) return { url, private: false, stop: async () => {} };
  const directory = join(dataDirectory, 'redis');
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'], {
    stdio: 'ignore',
  });
  const started = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
  });
  const privateUrl = `redis://127.0.0.1:${port}`;
  if (!started || !(await answersWithin(privateUrl, 5_000))) {
    child.kill();
    throw new RedisUnavailableError(url);
  }
  return { url: privateUrl, private: true, stop: () => stopChild(child) };
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function answersWithin(url: string, millis: number): Promise<boolean> {
  const deadline = Date.now() + millis;
  while (Date.now() < deadline) {
    if (await answers(url)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}


function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
