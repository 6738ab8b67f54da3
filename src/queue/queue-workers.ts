import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { dispositionOf, errorCode } from '../errors/hallmonitor-error.js';
import { digestMails, digestPeriod, type DigestOptions, type DigestSchedule, type DigestSchool, type DigestSource } from './digest.js';
import { JobRefused, type QueueConnection } from './job-seal.js';
import { bullMailQueue, MAIL_QUEUE_DEFAULTS, type MailQueue, type MailQueueOptions, type ReleaseRequest } from './mail-queue.js';
import type { SendMail } from './mail-sender.js';
import type { OutgoingMail } from './outgoing-mail.js';
import { DEFAULT_PREFIX, QUEUE_NAMES } from './queue-names.js';
import { withTimeout, workerRedis } from './redis-connections.js';

/** What the workers do with each kind of job; a process runs workers only for the handlers it is given. */
export interface QueueHandlers {
  /** Sends one mail of any kind (`mailSender`). */
  readonly send: SendMail;
  /** Delivers a released message (the store's and the next hop's); rejects to be retried. */
  readonly release?: (request: ReleaseRequest) => Promise<void>;
  /** Destroys what is past its retention period; runs hourly. */
  readonly retention?: () => Promise<void>;
  /** The daily digest: where the counts come from, and the schools to send it for. */
  readonly digest?: { readonly source: DigestSource; readonly schools: readonly DigestSchool[]; readonly options?: DigestOptions };
}

/** A job that failed one try; `final` when it will not be tried again and stays in the failed set. */
export interface JobFailure {
  readonly queue: string;
  readonly jobId: string;
  readonly attemptsMade: number;
  readonly final: boolean;
  /** The error's code (never its message, which may quote the next hop's reply and an address in it). */
  readonly reason: string;
}

export interface QueueWorkerOptions {
  /** Redis key prefix, as the producer's. Default `hallmonitor`. */
  readonly prefix?: string;
  /** Mails sent at once (default 4); releases, retention and digests run one at a time. */
  readonly concurrency?: number;
  /**
   * How long a worker holds a job before another may take it as stalled (BullMQ `lockDuration`, default 30 s).
   * A worker that dies mid-job releases it after this, and the job runs again.
   */
  readonly lockDurationMs?: number;
  /** How often workers look for stalled jobs (BullMQ `stalledInterval`, default 30 s). */
  readonly stalledIntervalMs?: number;
  /** When the digest goes: cron pattern and time zone (default `0 7 * * *`, Europe/London). */
  readonly digestSchedule?: DigestSchedule;
  /** When the retention sweep runs: a cron pattern (default hourly, `5 * * * *`). */
  readonly retentionPattern?: string;
  /** For the mails the digest step queues (retries, backoff). */
  readonly mailQueue?: MailQueueOptions;
  /** Told of every failed try, for the log. */
  readonly onFailure?: (failure: JobFailure) => void;
  /**
   * Told of every job refused unopened because this deployment did not seal it (written straight into Redis, or
   * altered there): for the log and the metric. The job fails for good and nothing of it is acted on.
   */
  readonly onRefused?: (refusal: JobRefusal) => void;
}

/** A job whose data did not verify: where it was and why, never what it held. */
export interface JobRefusal {
  readonly queue: string;
  readonly jobId: string;
  readonly reason: JobRefused['code'];
}

export interface RunningWorkers {
  /** Lets the jobs in hand finish, then disconnects. */
  close(): Promise<void>;
}

const DEFAULTS = {
  concurrency: 4,
  digestSchedule: { pattern: '0 7 * * *', timezone: 'Europe/London' },
  // Five past the hour: clear of the digest and of anything else scheduled on the hour.
  retentionPattern: '5 * * * *',
} as const;

/** How long closing a worker waits for its job in hand (a mail being sent) before letting go. */
const CLOSE_GRACE_MS = 10_000;

/** Starts a worker per handler given, and (re)declares the hourly retention and daily digest schedules. */
export async function startQueueWorkers(connection: QueueConnection, handlers: QueueHandlers, options: QueueWorkerOptions = {}): Promise<RunningWorkers> {
  const running: RunningWorkers[] = [startMailWorker(connection, handlers.send, options)];
  try {
    if (handlers.release) {
      const release = handlers.release;
      running.push(worker<ReleaseRequest>(connection, QUEUE_NAMES.releases, (request) => release(request), { ...options, concurrency: 1 }));
    }
    if (handlers.retention) {
      const retention = handlers.retention;
      running.push(worker(connection, QUEUE_NAMES.retention, () => retention(), { ...options, concurrency: 1 }));
      await schedule(connection, QUEUE_NAMES.retention, { pattern: options.retentionPattern ?? DEFAULTS.retentionPattern }, options);
    }
    if (handlers.digest) {
      const digestSchedule = options.digestSchedule ?? DEFAULTS.digestSchedule;
      running.push(digestWorker(connection, handlers.digest, digestSchedule, options));
      await schedule(connection, QUEUE_NAMES.digests, { pattern: digestSchedule.pattern, tz: digestSchedule.timezone }, options);
    }
  } catch (error) {
    await Promise.all(running.map((each) => each.close()));
    throw error;
  }
  return { close: async () => void (await Promise.all(running.map((each) => each.close()))) };
}

/** The outgoing-mail worker alone. */
export function startMailWorker(connection: QueueConnection, send: SendMail, options: QueueWorkerOptions = {}): RunningWorkers {
  return worker<OutgoingMail>(connection, QUEUE_NAMES.mail, (mail) => send(mail), { ...options, concurrency: options.concurrency ?? DEFAULTS.concurrency });
}

/**
 * Counts, for each school, the period since the schedule's previous run (`digestPeriod`) and queues its digest
 * mails, whose ids name the school, role and day: a digest job that runs twice queues each mail once.
 */
function digestWorker(connection: QueueConnection, digest: NonNullable<QueueHandlers['digest']>, schedule: DigestSchedule, options: QueueWorkerOptions): RunningWorkers {
  const mail: MailQueue = bullMailQueue(connection, { prefix: options.prefix, ...options.mailQueue });
  const running = worker(
    connection,
    QUEUE_NAMES.digests,
    async (_data, job) => {
      // When the job was due: BullMQ queues it at `timestamp` with the delay that reaches its occurrence.
      const period = digestPeriod(new Date(job.timestamp + (job.opts.delay ?? 0)), schedule);
      for (const school of digest.schools) {
        const summary = await digest.source.summarise(school.id, period.since, period.until);
        await mail.enqueue(digestMails(school, summary, period, digest.options));
      }
    },
    { ...options, concurrency: 1 },
  );
  return {
    async close() {
      await running.close();
      await mail.close();
    },
  };
}

/**
 * A worker that opens each job's sealed data before `process` sees it: a job that does not verify is refused
 * unopened (fails for good, reported to `onRefused`), so nothing is released, sent or alerted on its say-so.
 */
function worker<Data>(connection: QueueConnection, name: string, process: (data: Data, job: Job) => Promise<void>, options: QueueWorkerOptions): RunningWorkers {
  const redis = workerRedis(connection);
  const created = new Worker(name, (job) => giveUpOnRefusal(() => process(openJob<Data>(connection, name, job, options), job)), {
    connection: redis,
    prefix: options.prefix ?? DEFAULT_PREFIX,
    concurrency: options.concurrency ?? 1,
    ...(options.lockDurationMs === undefined ? {} : { lockDuration: options.lockDurationMs }),
    ...(options.stalledIntervalMs === undefined ? {} : { stalledInterval: options.stalledIntervalMs }),
  });
  created.on('error', () => undefined);
  created.on('failed', (job, error) => {
    if (!job) return;
    const final = error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    options.onFailure?.({
      queue: name,
      jobId: job.id ?? '',
      attemptsMade: job.attemptsMade,
      final,
      reason: error instanceof UnrecoverableError ? error.message : errorCode(error),
    });
  });
  return {
    async close() {
      // With Redis away, waiting for the job in hand to finish would wait for Redis; and BullMQ's close can
      // wait for good on a connection that came back to an emptied Redis. So the wait is bounded: a job left
      // active runs again elsewhere once its lock expires, which idempotent jobs allow.
      const closing = created.close(redis.status !== 'ready').catch(() => undefined);
      await withTimeout(closing, CLOSE_GRACE_MS).catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** Upserting is idempotent, so every worker process may declare the same schedule at start. */
async function schedule(connection: QueueConnection, name: string, repeat: { pattern: string; tz?: string }, options: QueueWorkerOptions): Promise<void> {
  const redis = workerRedis(connection);
  const queue = new Queue(name, { connection: redis, prefix: options.prefix ?? DEFAULT_PREFIX });
  queue.on('error', () => undefined);
  try {
    const template = {
      name,
      // A scheduled job's id is made by BullMQ at each run; its data is bound to the scheduler instead.
      data: connection.seal.seal({ queue: name, name, id: name }, {}),
      opts: {
        attempts: options.mailQueue?.attempts ?? MAIL_QUEUE_DEFAULTS.attempts,
        backoff: { type: 'exponential', delay: options.mailQueue?.backoffMs ?? MAIL_QUEUE_DEFAULTS.backoffMs },
        removeOnComplete: 100,
        removeOnFail: 100,
      },
    };
    // Start-up must fail, not hang, when Redis is away: the workers' connection would wait for it forever.
    await withTimeout(queue.upsertJobScheduler(name, repeat, template), 10_000);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** The job's data as sealed by this deployment, or `UnrecoverableError` (after telling `onRefused`) when it does not verify. */
function openJob<Data>(connection: QueueConnection, queue: string, job: Job, options: QueueWorkerOptions): Data {
  const scheduler = job.repeatJobKey;
  try {
    const place = { queue, name: job.name, id: scheduler ?? job.id ?? '' };
    return connection.seal.open(place, job.data, scheduler ? { maxAgeMs: Number.POSITIVE_INFINITY } : {}) as Data;
  } catch (error) {
    if (!(error instanceof JobRefused)) throw error;
    options.onRefused?.({ queue, jobId: job.id ?? '', reason: error.code });
    throw new UnrecoverableError(error.code);
  }
}

/** A refusal for good (a 5xx from the next hop, a release of what is no longer held) is not retried: it fails at once and stays visible. */
async function giveUpOnRefusal(process: () => Promise<void>): Promise<void> {
  try {
    await process();
  } catch (error) {
    if (dispositionOf(error) === 'permanent') throw new UnrecoverableError(errorCode(error));
    throw error;
  }
}
