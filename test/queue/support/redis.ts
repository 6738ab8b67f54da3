import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort } from '../../../src/gateway/free-port.js';
import { queueConnection, type QueueConnection } from '../../../src/queue/job-seal.js';
import type { RedisAddress } from '../../../src/queue/redis-connections.js';

export { freePort };

/** The tests' store key (invented): what signs and encrypts their queue jobs, as the quarantine key does in a deployment. */
export const TEST_STORE_KEY = Buffer.from('8b3f0d3c1e5a7f29c64d2b1a0e9f8c7d6b5a4f3e2d1c0b9a8f7e6d5c4b3a2910', 'hex');

export const SHARED_REDIS: QueueConnection = queueConnection('redis://127.0.0.1:6379', TEST_STORE_KEY);

/** The queues on another Redis, sealed with the tests' key. */
export function queuesAt(redis: string | RedisAddress): QueueConnection {
  return queueConnection(redis, TEST_STORE_KEY);
}

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
  /** A redis.conf to read first (for a password that must not be on the command line). */
  readonly configFile?: string;
  /** Listen with TLS on the port and not in clear (`--port 0 --tls-port PORT`); `args` give the certificates. */
  readonly tlsPort?: boolean;
}

export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = options.port ?? (await freePort());
  const ports = options.tlsPort ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)];
  const child = spawn(
    'redis-server',
    [...(options.configFile ? [options.configFile] : []), ...ports, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(options.args ?? [])],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: withRealClock(process.env),
    },
  );
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

/** What a queued job carries, opened as a worker opens it (its data in Redis is sealed). */
export function jobData<Data = QueuedData>(job: { queueName: string; name: string; id?: string | undefined; data: unknown } | undefined | null): Data | undefined {
  if (!job) return undefined;
  return SHARED_REDIS.seal.open({ queue: job.queueName, name: job.name, id: job.id ?? '' }, job.data) as Data;
}

/** Any job's data, for tests that read a field or two of it. */
export interface QueuedData {
  readonly [field: string]: unknown;
  readonly to: readonly string[];
  readonly text: string;
  readonly kind: string;
  readonly messageId: string;
}
