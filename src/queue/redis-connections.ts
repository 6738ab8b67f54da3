import { Redis } from 'ioredis';

/**
 * For producers, used while an SMTP client waits: no offline queue and one retry, so a command fails at
 * once when Redis is away instead of waiting in memory for it to come back.
 */
export function producerRedis(url: string): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // Connection errors surface as failed commands; without a listener ioredis reports each retry as unhandled.
  redis.on('error', () => undefined);
  return redis;
}

/** For workers: BullMQ's blocking commands need ioredis to retry forever, reconnecting when Redis returns. */
export function workerRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
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
