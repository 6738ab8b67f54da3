import type { AuditEntry } from './audit-entry.js';
import type { AuditLog } from './audit-log.js';

export interface AuditWriterOptions {
  /** Most entries per commit (default 200). */
  readonly maxBatch?: number;
  /** Longest an entry waits for its commit to start (default 50 ms). */
  readonly maxDelayMs?: number;
  /** Told when a batch could not be written; the entries are kept and tried again with the next batch. */
  readonly onError: (error: unknown, pending: number) => void;
  /**
   * Most entries kept waiting for the database (default 10,000). Beyond it nothing is dropped: `write` waits for
   * room, so a store that cannot keep up slows the replies down (back-pressure) instead of losing their record.
   */
  readonly maxPending?: number;
  /**
   * Longest `write` waits for its entry's commit (default 10 s) before resolving `false`, the entry still kept and
   * retried: the reply then goes, so that a store away for minutes does not hold every SMTP client past its timeout.
   */
  readonly maxWaitMs?: number;
}

/** Entries committed a batch at a time; each `write` resolves once its own entry is in a commit. */
export interface AuditWriter {
  /**
   * Resolves `true` once the entry is committed (with its batch, so one fsync serves many messages), or `false`
   * after `maxWaitMs` with the entry still pending and retried. Never drops the entry.
   */
  write(entry: AuditEntry): Promise<boolean>;
  /** Resolves once every entry written so far is committed (or has failed and been reported). */
  flush(): Promise<void>;
  /** Entries not yet committed: for /metrics. */
  pending(): number;
}

const DEFAULTS = { maxBatch: 200, maxDelayMs: 50, maxPending: 10_000, maxWaitMs: 10_000 } as const;

interface Waiting {
  readonly entry: AuditEntry;
  readonly committed: () => void;
}

/**
 * Group commit for the audit log. A delivered message's reply waits for its entry's commit, so a 250 is never
 * followed by a crash that loses its record; one commit per batch rather than per message keeps the fsync (and,
 * with SQLite, the blocked event loop) off each message.
 */
export function auditWriter(audit: Pick<AuditLog, 'appendAll'>, options: AuditWriterOptions): AuditWriter {
  const maxBatch = options.maxBatch ?? DEFAULTS.maxBatch;
  const maxPending = options.maxPending ?? DEFAULTS.maxPending;
  const maxWaitMs = options.maxWaitMs ?? DEFAULTS.maxWaitMs;
  const pending: Waiting[] = [];
  const roomWaiters: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const commit = async (): Promise<void> => {
    timer = undefined;
    while (pending.length > 0) {
      const batch = pending.slice(0, maxBatch);
      try {
        await audit.appendAll(batch.map((waiting) => waiting.entry));
      } catch (error) {
        options.onError(error, pending.length);
        // Try again after the usual delay, rather than wait for the next verdict to come along.
        schedule();
        return;
      }
      pending.splice(0, batch.length);
      for (const waiting of batch) waiting.committed();
      while (roomWaiters.length > 0 && pending.length < maxPending) roomWaiters.shift()!();
    }
  };
  const schedule = (): void => {
    if (timer) return;
    timer = setTimeout(() => {
      writing = writing.then(commit);
    }, options.maxDelayMs ?? DEFAULTS.maxDelayMs);
    timer.unref();
  };

  return {
    async write(entry) {
      while (pending.length >= maxPending) await new Promise<void>((resolve) => roomWaiters.push(resolve));
      let timeout: NodeJS.Timeout | undefined;
      const committed = new Promise<boolean>((resolve) => {
        pending.push({ entry, committed: () => resolve(true) });
        timeout = setTimeout(() => resolve(false), maxWaitMs);
        timeout.unref();
      });
      schedule();
      return committed.finally(() => clearTimeout(timeout));
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      writing = writing.then(commit);
      await writing;
    },
    pending: () => pending.length,
  };
}
