import { readFile } from 'node:fs/promises';
import { Redis, type RedisOptions } from 'ioredis';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

/** PEM material for TLS to Redis, read once at start. */
export interface RedisTls {
  /** The CA that signed Redis's certificate, instead of Node's roots (and NODE_EXTRA_CA_CERTS). */
  readonly ca?: string;
  /** A client certificate and its key, for a Redis that asks for one (`tls-auth-clients yes`). */
  readonly cert?: string;
  readonly key?: string;
}

/** Where Redis is and how to reach it: every ioredis connection of the gateway, the CLI and the workers is made from one. */
export interface RedisAddress {
  /** `redis://[user:password@]host:port` or `rediss://…` (TLS). */
  readonly url: string;
  /** Only with `rediss://`; absent, a `rediss://` URL verifies against Node's roots. */
  readonly tls?: RedisTls;
}

/** `redisTls` set for a plain `redis://` URL: the files would be ignored, or TLS silently forced; neither is what was meant. */
export class RedisTlsConfigError extends HallmonitorError {
  readonly code = 'config-invalid';
  readonly disposition = 'configuration';
  constructor() {
    super('redisTls is set but the redis URL is not rediss://: use rediss://HOST:PORT (or remove redisTls)');
    this.name = 'RedisTlsConfigError';
  }
}

/** The configured files as PEM: `redisTls` from the configuration (paths), with the URL they go with. */
export async function redisAddress(
  url: string,
  files?: { readonly ca?: string | undefined; readonly cert?: string | undefined; readonly key?: string | undefined },
): Promise<RedisAddress> {
  if (!files || (files.ca === undefined && files.cert === undefined && files.key === undefined)) return { url };
  if (!/^rediss:\/\//i.test(url)) throw new RedisTlsConfigError();
  const read = async (path: string | undefined) => (path === undefined ? undefined : await readFile(path, 'utf8'));
  const [ca, cert, key] = await Promise.all([read(files.ca), read(files.cert), read(files.key)]);
  return { url, tls: { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } };
}

/** The one place an ioredis client is made: the address's TLS material always goes with its URL. */
export function redisClient(address: RedisAddress | string, options: RedisOptions): Redis {
  const { url, tls } = typeof address === 'string' ? { url: address, tls: undefined } : address;
  // ioredis turns rediss:// into `tls: true`; an object here takes its place, still verifying (rejectUnauthorized defaults to true).
  return new Redis(url, tls ? { ...options, tls: { ...tls } } : options);
}

/**
 * For producers, used while an SMTP client waits: no offline queue and one retry, so a command fails at
 * once when Redis is away instead of waiting in memory for it to come back.
 */
export function producerRedis(address: RedisAddress): Redis {
  const redis = redisClient(address, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // Connection errors surface as failed commands; without a listener ioredis reports each retry as unhandled.
  redis.on('error', () => undefined);
  return redis;
}

/** For workers: BullMQ's blocking commands need ioredis to retry forever, reconnecting when Redis returns. */
export function workerRedis(address: RedisAddress): Redis {
  const redis = redisClient(address, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  return redis;
}

/** Rejects after `timeoutMs`: a paused or unreachable Redis must not hold an SMTP client past its own timeout. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
