import { UnrecoverableError, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ActionError } from '../actions/errors.js';
import type { RenderedNotice } from '../policy/notice-templates.js';

export { noticeSender, type NoticeSenderOptions } from './notice-sender.js';

/** One sender notice to send: the rewrite suggestions for a message the gateway did not deliver as sent. */
export interface SenderNoticeJob {
  /** The spool id of the message the notice is about; it makes the job id, so a notice is queued once. */
  readonly messageId: string;
  readonly notice: RenderedNotice;
}

export interface NoticeQueue {
  /** Resolves once the job is stored in Redis; rejects with ActionError `notice-queue-unavailable` otherwise. */
  enqueue(job: SenderNoticeJob): Promise<void>;
  close(): Promise<void>;
}

export interface NoticeQueueOptions {
  /** Redis key prefix (BullMQ's `prefix`); lets tests and tenants share one Redis. Default `hallmonitor`. */
  readonly prefix?: string;
  /** How long to wait for Redis before giving up on a job (default 2 s), so the client gets 451 in good time. */
  readonly enqueueTimeoutMs?: number;
  /** Tries per notice before it stays failed for an operator to see (default 8). */
  readonly attempts?: number;
  /** First retry delay, doubling each time (default 30 s). */
  readonly backoffMs?: number;
}

export interface NoticeWorkerOptions {
  readonly prefix?: string;
  /** Notices sent at once (default 4). */
  readonly concurrency?: number;
}

const QUEUE_NAME = 'sender-notices';
const JOB_NAME = 'sender-notice';
const DEFAULTS = { prefix: 'hallmonitor', enqueueTimeoutMs: 2_000, attempts: 8, backoffMs: 30_000, concurrency: 4 } as const;

/** The producer side: used while the client waits for its reply, so it fails fast rather than queue in memory. */
export function bullNoticeQueue(connection: { url: string }, options: NoticeQueueOptions = {}): NoticeQueue {
  const redis = new Redis(connection.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // Connection errors surface as failed enqueues; without a listener ioredis would report each retry as unhandled.
  redis.on('error', () => undefined);
  const queue = new Queue<SenderNoticeJob>(QUEUE_NAME, {
    connection: redis,
    prefix: options.prefix ?? DEFAULTS.prefix,
    defaultJobOptions: {
      attempts: options.attempts ?? DEFAULTS.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs ?? DEFAULTS.backoffMs },
      removeOnComplete: true,
      // Failed notices stay visible (issue 6), a bounded number of them.
      removeOnFail: { count: 1_000 },
    },
  });
  queue.on('error', () => undefined);
  const timeoutMs = options.enqueueTimeoutMs ?? DEFAULTS.enqueueTimeoutMs;
  return {
    async enqueue(job) {
      try {
        await withTimeout(queue.add(JOB_NAME, job, { jobId: noticeJobId(job.messageId) }), timeoutMs);
      } catch (error) {
        throw new ActionError('notice-queue-unavailable', 'could not queue the sender notice', { cause: error });
      }
    },
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}

/** The consumer side: sends each notice with `send`; a refused notice fails for good, anything else is retried. */
export function startNoticeWorker(
  connection: { url: string },
  send: (notice: RenderedNotice) => Promise<void>,
  options: NoticeWorkerOptions = {},
): { close(): Promise<void> } {
  // BullMQ's blocking commands need ioredis to retry forever.
  const redis = new Redis(connection.url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const worker = new Worker<SenderNoticeJob>(QUEUE_NAME, (job) => sendOrGiveUp(send, job.data.notice), {
    connection: redis,
    prefix: options.prefix ?? DEFAULTS.prefix,
    concurrency: options.concurrency ?? DEFAULTS.concurrency,
  });
  worker.on('error', () => undefined);
  return {
    async close() {
      await worker.close();
      redis.disconnect();
    },
  };
}

async function sendOrGiveUp(send: (notice: RenderedNotice) => Promise<void>, notice: RenderedNotice): Promise<void> {
  try {
    await send(notice);
  } catch (error) {
    if (error instanceof ActionError && error.disposition === 'reject') throw new UnrecoverableError(error.code);
    throw error;
  }
}

/** BullMQ job ids may not contain ':' nor be integers. */
export function noticeJobId(messageId: string): string {
  return `sender-notice.${messageId.replace(/:/g, '_')}`;
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
