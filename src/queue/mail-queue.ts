import { Queue } from 'bullmq';
import { DeliveryError } from '../delivery/delivery-error.js';
import type { QueueConnection, SealedJobData } from './job-seal.js';
import { safeKey, type MailKind, type OutgoingMail } from './outgoing-mail.js';
import { DEFAULT_PREFIX, QUEUE_NAMES } from './queue-names.js';
import { producerRedis, withTimeout } from './redis-connections.js';

/**
 * A quarantined message the DPO released: the release processor (the store's and the next hop's) delivers it.
 * Only the id: how it goes (encrypted or not) and who asked are the store's record of the request, read when
 * the job runs, so a later "release encrypted" is what happens even while an earlier plain release waits.
 */
export interface ReleaseRequest {
  /** The quarantine id (the spool id); it makes the job id `release.<messageId>`. */
  readonly messageId: string;
}

/** The producer side, used while the SMTP client (or the reviewer) waits for an answer. */
export interface MailQueue {
  /**
   * Resolves once every mail is stored in Redis; rejects with DeliveryError `notice-queue-unavailable`
   * otherwise, so the caller answers 451. A mail whose id is already queued is not queued again.
   */
  enqueue(mails: OutgoingMail | readonly OutgoingMail[]): Promise<void>;
  /** Queues a release once; a release that failed for good is tried again. Rejects like `enqueue`. */
  enqueueRelease(request: ReleaseRequest): Promise<void>;
  /** Jobs that failed for good and are kept for an operator to see, over every queue (for /metrics). */
  failedCount(): Promise<number>;
  close(): Promise<void>;
}

export interface MailQueueOptions {
  /** Redis key prefix (BullMQ's `prefix`); lets tests and tenants share one Redis. Default `hallmonitor`. */
  readonly prefix?: string;
  /** How long to wait for Redis before giving up (default 2 s), so the client gets 451 in good time. */
  readonly enqueueTimeoutMs?: number;
  /** Tries per job before it stays failed for an operator to see (default 8). */
  readonly attempts?: number;
  /** First retry delay, doubling each time (default 30 s: the eighth try comes about an hour after the first). */
  readonly backoffMs?: number;
  /** Failed jobs kept per queue (default 1,000): visible, and bounded. */
  readonly keepFailed?: number;
  /**
   * How long a sent job's id is kept (default a day): enqueueing the same mail again within it is a no-op,
   * which is what makes a job idempotent after it has run, not only while it waits.
   */
  readonly keepCompletedSeconds?: number;
}

/**
 * Alerts go to the front of the waiting line (BullMQ `lifo`), so a burst of notices cannot hold up the
 * DSL's alert by seconds; they are rare, so their own order hardly matters. (BullMQ priorities would
 * not do: a worker takes every job without a priority before any prioritised one.)
 */
const JUMPS_THE_QUEUE: ReadonlySet<MailKind> = new Set(['alert']);

/** Mails carrying a secret (a generated passphrase) leave Redis as soon as they are sent; a failed one stays to be seen and retried. */
const CARRIES_A_SECRET: ReadonlySet<MailKind> = new Set(['passphrase-notice']);

export const MAIL_QUEUE_DEFAULTS = { enqueueTimeoutMs: 2_000, attempts: 8, backoffMs: 30_000, keepFailed: 1_000, keepCompletedSeconds: 86_400 } as const;

export function bullMailQueue(connection: QueueConnection, options: MailQueueOptions = {}): MailQueue {
  const redis = producerRedis(connection);
  const jobOptions = {
    attempts: options.attempts ?? MAIL_QUEUE_DEFAULTS.attempts,
    backoff: { type: 'exponential', delay: options.backoffMs ?? MAIL_QUEUE_DEFAULTS.backoffMs },
    removeOnComplete: { age: options.keepCompletedSeconds ?? MAIL_QUEUE_DEFAULTS.keepCompletedSeconds, count: 10_000 },
    removeOnFail: { count: options.keepFailed ?? MAIL_QUEUE_DEFAULTS.keepFailed },
  };
  const queue = (name: string) => {
    const created = new Queue<SealedJobData>(name, { connection: redis, prefix: options.prefix ?? DEFAULT_PREFIX, defaultJobOptions: jobOptions });
    created.on('error', () => undefined);
    return created;
  };
  const mail = queue(QUEUE_NAMES.mail);
  const releases = queue(QUEUE_NAMES.releases);
  const all = [mail, releases, queue(QUEUE_NAMES.retention), queue(QUEUE_NAMES.digests)];
  const timeoutMs = options.enqueueTimeoutMs ?? MAIL_QUEUE_DEFAULTS.enqueueTimeoutMs;
  const guarded = async <T>(what: string, operation: () => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(operation(), timeoutMs);
    } catch (error) {
      throw new DeliveryError('notice-queue-unavailable', `could not queue the ${what}`, { cause: error });
    }
  };
  return {
    async enqueue(mails) {
      const list: readonly OutgoingMail[] = Array.isArray(mails) ? mails : [mails as OutgoingMail];
      if (list.length === 0) return;
      const jobs = list.map((m) => ({
        name: m.kind,
        data: connection.seal.seal({ queue: QUEUE_NAMES.mail, name: m.kind, id: m.id }, m),
        opts: { jobId: m.id, lifo: JUMPS_THE_QUEUE.has(m.kind), ...(CARRIES_A_SECRET.has(m.kind) ? { removeOnComplete: true } : {}) },
      }));
      await guarded(list.map((m) => m.kind).join(', '), () => mail.addBulk(jobs));
    },
    async enqueueRelease(request) {
      await guarded('release', async () => {
        const jobId = releaseJobId(request.messageId);
        const job = await releases.add('release', connection.seal.seal({ queue: QUEUE_NAMES.releases, name: 'release', id: jobId }, request), { jobId });
        if ((await job.getState()) === 'failed') await job.retry('failed');
      });
    },
    async failedCount() {
      const counts = await guarded('count', () => Promise.all(all.map((each) => each.getFailedCount())));
      return counts.reduce((sum, count) => sum + count, 0);
    },
    async close() {
      // Bounded like the workers' close: a Queue's close can wait on a connection that will never answer.
      await withTimeout(Promise.all(all.map((each) => each.close())), timeoutMs).catch(() => undefined);
      redis.disconnect();
    },
  };
}

export function releaseJobId(messageId: string): string {
  return `release.${safeKey(messageId)}`;
}
