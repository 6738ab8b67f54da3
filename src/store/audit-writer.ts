import type { AuditEntry } from './audit-entry.js';
import type { AuditLog, CommitDurability } from './audit-log.js';

export interface AuditWriterOptions {
  /** Most entries per commit (default 200). */
  readonly maxBatch?: number;
  /**
   * How long the first entry of an idle writer waits for more to join its commit (default 0: the commit starts
   * once the current turn of the event loop is over). Under load, the entries that arrive while one commit runs
   * make up the next, so batches grow with the load without a fixed wait on every reply.
   */
  readonly maxDelayMs?: number;
  /** How long after a failed commit it is tried again (default 50 ms). */
  readonly retryDelayMs?: number;
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
  /**
   * `disk` (the default): each commit returns once it is on disk. `written`: once the database has it, and
   * `syncToDisk` runs within `syncWithinMs` (default 1 s) of the first such commit (audit-log.ts).
   */
  readonly durability?: CommitDurability;
  readonly syncWithinMs?: number;
}

/** Entries committed a batch at a time; each `write` resolves once its own entry is in a commit. */
export interface AuditWriter {
  /**
   * Resolves `true` once the entry is committed (with its batch), or `false` after `maxWaitMs` with the entry
   * still pending and retried. Never drops the entry.
   */
  write(entry: AuditEntry): Promise<boolean>;
  /** Resolves once every entry written so far is committed (or has failed and been reported), and on disk. */
  flush(): Promise<void>;
  /** Entries not yet committed: for /metrics. */
  pending(): number;
}

/** Where the batches go: the audit log, or a stand-in that slows or breaks it in a test. */
export type AuditBatchLog = Pick<AuditLog, 'appendAll'> & Partial<Pick<AuditLog, 'syncToDisk'>>;

const DEFAULTS = { maxBatch: 200, maxDelayMs: 0, retryDelayMs: 50, maxPending: 10_000, maxWaitMs: 10_000, syncWithinMs: 1_000 } as const;

interface Waiting {
  readonly entry: AuditEntry;
  readonly committed: () => void;
}

/**
 * Group commit for the audit log. A delivered message's reply waits for its entry's commit, so a 250 is never
 * followed by a crash of the gateway that loses its record; one commit per batch rather than per message keeps
 * the database's work (and, with SQLite, the blocked event loop) off each message.
 */
export function auditWriter(audit: AuditBatchLog, options: AuditWriterOptions): AuditWriter {
  const maxBatch = options.maxBatch ?? DEFAULTS.maxBatch;
  const maxPending = options.maxPending ?? DEFAULTS.maxPending;
  const maxWaitMs = options.maxWaitMs ?? DEFAULTS.maxWaitMs;
  const durability = options.durability ?? 'disk';
  const pending: Waiting[] = [];
  const roomWaiters: (() => void)[] = [];
  let cancelScheduled: (() => void) | undefined;
  let writing: Promise<void> = Promise.resolve();
  let syncTimer: NodeJS.Timeout | undefined;

  const syncToDisk = async (): Promise<void> => {
    clearTimeout(syncTimer);
    syncTimer = undefined;
    await audit.syncToDisk?.().catch((error: unknown) => options.onError(error, pending.length));
  };
  const syncSoon = (): void => {
    if (durability === 'disk' || syncTimer !== undefined || audit.syncToDisk === undefined) return;
    syncTimer = setTimeout(() => void (writing = writing.then(syncToDisk)), options.syncWithinMs ?? DEFAULTS.syncWithinMs);
    syncTimer.unref();
  };

  const commit = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending.slice(0, maxBatch);
      try {
        await audit.appendAll(
          batch.map((waiting) => waiting.entry),
          durability,
        );
      } catch (error) {
        options.onError(error, pending.length);
        // Try again after a while, rather than wait for the next verdict to come along.
        schedule(options.retryDelayMs ?? DEFAULTS.retryDelayMs);
        return;
      }
      pending.splice(0, batch.length);
      for (const waiting of batch) waiting.committed();
      while (roomWaiters.length > 0 && pending.length < maxPending) roomWaiters.shift()!();
      syncSoon();
    }
  };
  const schedule = (delayMs: number): void => {
    if (cancelScheduled) return;
    const start = (): void => {
      cancelScheduled = undefined;
      writing = writing.then(commit);
    };
    if (delayMs > 0) {
      const timer = setTimeout(start, delayMs);
      timer.unref();
      cancelScheduled = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(start);
      immediate.unref();
      cancelScheduled = () => clearImmediate(immediate);
    }
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
      schedule(options.maxDelayMs ?? DEFAULTS.maxDelayMs);
      return committed.finally(() => clearTimeout(timeout));
    },
    async flush() {
      cancelScheduled?.();
      cancelScheduled = undefined;
      writing = writing.then(commit).then(() => (syncTimer !== undefined ? syncToDisk() : undefined));
      await writing;
    },
    pending: () => pending.length,
  };
}
