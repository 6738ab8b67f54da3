import type { AuditEntry } from './audit-entry.js';
import type { AuditLog } from './audit-log.js';

export interface AuditWriterOptions {
  /** Most entries per commit (default 200). */
  readonly maxBatch?: number;
  /** Longest an entry waits for its commit (default 50 ms). */
  readonly maxDelayMs?: number;
  /** Told when a batch could not be written; the entries are kept and tried again with the next batch. */
  readonly onError: (error: unknown, pending: number) => void;
  /** Most entries kept waiting while the database is away (default 100,000); the oldest are dropped and reported beyond it. */
  readonly maxPending?: number;
}

/** Entries written in the background, a batch per commit; for verdicts whose reply does not wait for them. */
export interface AuditWriter {
  write(entry: AuditEntry): void;
  /** Resolves once every entry written so far is committed (or has failed and been reported). */
  flush(): Promise<void>;
}

const DEFAULTS = { maxBatch: 200, maxDelayMs: 50, maxPending: 100_000 } as const;

/**
 * Group commit for the audit log. A delivered message's entry does not hold up its reply, and one commit
 * per batch rather than per message keeps the fsync (and, with SQLite, the blocked event loop) off each message.
 */
export function auditWriter(audit: Pick<AuditLog, 'appendAll'>, options: AuditWriterOptions): AuditWriter {
  const maxBatch = options.maxBatch ?? DEFAULTS.maxBatch;
  const maxPending = options.maxPending ?? DEFAULTS.maxPending;
  const pending: AuditEntry[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const commit = async (): Promise<void> => {
    timer = undefined;
    while (pending.length > 0) {
      const batch = pending.slice(0, maxBatch);
      try {
        await audit.appendAll(batch);
        pending.splice(0, batch.length);
      } catch (error) {
        options.onError(error, pending.length);
        // Try again after the usual delay, rather than wait for the next verdict to come along.
        schedule();
        return;
      }
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
    write(entry) {
      pending.push(entry);
      if (pending.length > maxPending) {
        pending.splice(0, pending.length - maxPending);
        options.onError(new Error('audit backlog over its limit: oldest entries dropped'), pending.length);
      }
      schedule();
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      writing = writing.then(commit);
      await writing;
    },
  };
}
