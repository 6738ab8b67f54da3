import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCertificateCode, withoutCredentials } from '../queue/check-redis.js';
import { redisClient, type RedisAddress } from '../queue/redis-connections.js';
import { freePort } from './free-port.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

/** Redis for the queues: the configured one, or a private one this process started and will stop. */
export interface RedisEndpoint extends RedisAddress {
  /** True when serve started its own redis-server under the data folder. */
  readonly private: boolean;
  stop(): Promise<void>;
}

export class RedisUnavailableError extends HallmonitorError {
  readonly code = 'redis-unavailable';
  readonly disposition = 'configuration';
  constructor(url: string) {
    super(
      `no Redis answers at ${withoutCredentials(url)}, and redis-server is not on PATH to start a private one. ` +
        'Install it (Debian: apt-get install redis-server) or set `redis:` in the configuration.',
    );
    this.name = 'RedisUnavailableError';
  }
}

/** A Redis that answered but refused the credentials: a configuration fault, never a reason to start a private one. */
export class RedisAuthError extends HallmonitorError {
  readonly code = 'config-invalid';
  readonly disposition = 'configuration';
  constructor(url: string) {
    super(
      `Redis at ${withoutCredentials(url)} refused the gateway's credentials: set its password (and ACL user) in the ` +
        'redis URL, redis://USER:PASSWORD@HOST:PORT, or in HALLMONITOR_REDIS_URL (docs/security.md, "Redis").',
    );
    this.name = 'RedisAuthError';
  }
}

/** A Redis over TLS whose certificate does not verify: whoever answers may not be that Redis, so never fall back to a private one. */
export class RedisCertificateError extends HallmonitorError {
  readonly code = 'config-invalid';
  readonly disposition = 'configuration';
  constructor(url: string) {
    super(
      `Redis at ${withoutCredentials(url)} presented a certificate that does not verify: name the CA that signed it in ` +
        'redisTls.ca, and connect by a name the certificate holds (docs/security.md, "Redis").',
    );
    this.name = 'RedisCertificateError';
  }
}

/**
 * Uses the configured Redis when it answers; otherwise starts `redis-server` from PATH on a free
 * loopback port with its files under DATA/redis (append-only, so queued notices survive a restart),
 * protected by a password made at each start: another local user who finds the port cannot drive the queues.
 */
export async function ensureRedis(configured: string | RedisAddress, dataDirectory: string): Promise<RedisEndpoint> {
  const address = typeof configured === 'string' ? { url: configured } : configured;
  const { url } = address;
  const answer = await probe(address);
  if (answer === 'answers') return { ...address, private: false, stop: async () => {} };
  if (answer === 'refused-credentials') throw new RedisAuthError(url);
  if (answer === 'refused-certificate') throw new RedisCertificateError(url);
  const directory = join(dataDirectory, 'redis');
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await chmod(directory, 0o700);
  const port = await freePort();
  const password = randomBytes(24).toString('hex');
  // In a file only the gateway's user reads, not on the command line, where `ps` would show it to every user.
  const configFile = join(directory, 'private-redis.conf');
  await writeFile(configFile, `requirepass ${password}\n`, { mode: 0o600 });
  await chmod(configFile, 0o600);
  const child = spawn(
    'redis-server',
    [configFile, '--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'],
    {
      stdio: 'ignore',
    },
  );
  const started = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
  });
  const privateUrl = `redis://:${password}@127.0.0.1:${port}`;
  if (!started || !(await answersWithin(privateUrl, 5_000))) {
    child.kill();
    throw new RedisUnavailableError(url);
  }
  return { url: privateUrl, private: true, stop: () => stopChild(child) };
}

type Probe = 'answers' | 'refused-credentials' | 'refused-certificate' | 'silent';

async function probe(address: RedisAddress | string): Promise<Probe> {
  const client = redisClient(address, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let refused: Probe | undefined;
  client.on('error', (error: Error) => {
    refused ??= refusalOf(error);
  });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG' ? 'answers' : 'silent';
  } catch (error) {
    return refused ?? refusalOf(error) ?? 'silent';
  } finally {
    client.disconnect();
  }
}

/** NOAUTH: a password is required and none was given; WRONGPASS: the user or password is wrong (Redis 6 ACLs); or a TLS certificate that does not verify. */
function refusalOf(error: unknown): Probe | undefined {
  if (/\b(NOAUTH|WRONGPASS)\b/.test(String((error as Error | undefined)?.message))) return 'refused-credentials';
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && isCertificateCode(code) ? 'refused-certificate' : undefined;
}

async function answersWithin(url: string, millis: number): Promise<boolean> {
  const deadline = Date.now() + millis;
  while (Date.now() < deadline) {
    if ((await probe(url)) === 'answers') return true;
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
