import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort } from '../../../src/gateway/free-port.js';

export { freePort };

export const SHARED_REDIS = { url: 'redis://127.0.0.1:6379' };

/** A key prefix of its own for each test, so tests share the machine's Redis without meeting. */
export function uniquePrefix(): string {
  return `hm-test-${randomBytes(6).toString('hex')}`;
}

/** Deletes every key under `prefix` in the shared Redis. */
export async function removePrefix(prefix: string): Promise<void> {
  const redis = new Redis(SHARED_REDIS.url);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

export async function keysUnder(prefix: string): Promise<string[]> {
  const redis = new Redis(SHARED_REDIS.url);
  try {
    return await redis.keys(`${prefix}:*`);
  } finally {
    redis.disconnect();
  }
}

/** A redis-server of the test's own on a free port, to stop, pause and resume without touching the shared one. */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** Listen here rather than on a free port: a Redis coming back where it was. */
  readonly port?: number;
  /** More redis-server arguments, e.g. `['--maxmemory-policy', 'allkeys-lru']`. */
  readonly args?: readonly string[];
}

export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = options.port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: withRealClock(process.env),
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pause: () => signal(child, 'SIGSTOP'),
    resume: () => signal(child, 'SIGCONT'),
    stop: () => stop(child),
  };
}

/**
 * Under `npm run test:clock` (libfaketime preloaded) the test's own redis-server keeps the real clock, as the
 * shared one does: libfaketime crashes redis-server at start (its allocator calls the clock before the library
 * is ready).
 */
function withRealClock(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { LD_PRELOAD: _preload, FAKETIME: _faketime, ...rest } = environment;
  return rest;
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  child.kill(name);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGCONT');
  child.kill('SIGKILL');
  await exited;
}
