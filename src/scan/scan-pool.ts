import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Envelope } from '../message/envelope.js';
import { DEFAULT_MESSAGE_LIMITS } from '../message/limits.js';
import { PACKAGE_ROOT } from '../package-root.js';
import type { SchoolSources } from '../config/school-sources.js';
import type { ScanResult } from './scan-message.js';
import type { ScanTask, WorkerReport } from './scan-task.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

export interface ScanPoolOptions {
  /** The schools every worker loads, exactly as the gateway loads them. */
  readonly schools: readonly SchoolSources[];
  /** Worker threads; one per core beyond the event loop's is where the gain is (docs/benchmarks.md). */
  readonly size: number;
  /**
   * A scan not answered by then is taken as a hung worker: the message fails (the gateway answers
   * 451) and the worker is replaced. Longer than a message's own read limit, which ends any
   * honest scan first.
   */
  readonly scanTimeoutMs?: number;
  /** The worker's script; the built `scan-worker.js` unless a test brings its own. */
  readonly workerScript?: URL;
  /** Told when a worker fails or is replaced, for the caller's log; codes only, never content. */
  readonly onWorkerFault?: (fault: { readonly reason: ScanPoolErrorCode; readonly threadId: number }) => void;
}

export interface ScanPool {
  /**
   * Scans one message on a worker: `message` is its bytes (copied to the worker) or a spool
   * file's path. Rejects with a `ScanPoolError` when the worker dies, hangs or no
   * worker can be started; the message is never lost, only refused for now. `schoolAddress` chooses the
   * school that judges it (tenants.ts): the envelope sender unless the caller knows better.
   */
  scan(message: Buffer | string, envelope: Envelope, schoolAddress?: string): Promise<ScanResult>;
  /** Ends every worker; scans still waiting reject with `closed`. */
  close(): Promise<void>;
}

export type ScanPoolErrorCode = 'worker-failed' | 'scan-timeout' | 'scan-failed' | 'no-workers' | 'closed';

/** A scan did not complete on the pool; the caller answers 451 so the sender retries. */
export class ScanPoolError extends HallmonitorError {
  override readonly name = 'ScanPoolError';
  /** The sending service should keep the message and retry. */
  readonly disposition = 'temporary';

  constructor(
    readonly code: ScanPoolErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The schools could not be loaded in a worker; raised by `createScanPool` (configuration). */
export class ScanPoolStartError extends HallmonitorError {
  override readonly name = 'ScanPoolStartError';
  readonly disposition = 'configuration';
  /** The loader's own code when it had one (`roster-invalid`, `rules-invalid`, …), so the CLI answers as it would in-process. */
  constructor(
    message: string,
    readonly code: string = 'scan-pool-start-failed',
  ) {
    super(message);
  }
}

const DEFAULT_SCAN_TIMEOUT_MS = DEFAULT_MESSAGE_LIMITS.maxMessageMillis + 30_000;

/** Beside this module once built; from the sources (tests run them), its build under dist/, which `npm test` makes first. */
function defaultWorkerScript(): URL {
  if (import.meta.url.endsWith('.js')) return new URL('./scan-worker.js', import.meta.url);
  return pathToFileURL(join(PACKAGE_ROOT, 'dist', 'src', 'scan', 'scan-worker.js'));
}

interface Pending {
  readonly task: ScanTask;
  resolve(result: ScanResult): void;
  reject(error: ScanPoolError): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /**
   * Scans posted to the worker, oldest first; it scans them one after another, so the first is the one in
   * hand. At most `TASKS_PER_WORKER`.
   */
  readonly inFlight: Pending[];
  /** The deadline of the scan in hand. */
  timer: NodeJS.Timeout | undefined;
}

/**
 * Scans posted to one worker at a time. Two, so that the next message is already in the worker's queue when it
 * finishes one, rather than waiting for the busy event loop to read the result and post again (measured:
 * docs/benchmarks.md, 24 November: about a tenth more messages a second). More would only lengthen the wait of
 * the messages behind a slow one.
 */
const TASKS_PER_WORKER = 2;

/**
 * Scanning off the event loop: `size` worker threads, each with every school loaded once, each
 * scanning one message at a time (with the next already posted) while the event loop carries on with SMTP and
 * delivery. A worker that crashes or hangs fails only the messages it held, and a fresh one takes its place.
 * Resolves once every worker has loaded the schools; rejects with `ScanPoolStartError` if one cannot.
 */
export async function createScanPool(options: ScanPoolOptions): Promise<ScanPool> {
  if (!Number.isSafeInteger(options.size) || options.size < 1) throw new RangeError('scan pool size must be a positive whole number');
  const script = options.workerScript ?? defaultWorkerScript();
  const timeoutMs = options.scanTimeoutMs ?? DEFAULT_SCAN_TIMEOUT_MS;
  const queue: Pending[] = [];
  const slots = new Set<Slot>();
  let nextId = 1;
  let closed = false;

  function start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const slot: Slot = { worker: new Worker(script, { workerData: options.schools }), ready: false, inFlight: [], timer: undefined };
      slots.add(slot);
      // Workers alone do not keep the process running: a gateway that fails to start still exits.
      slot.worker.unref();
      slot.worker.on('message', (report: WorkerReport) => {
        if (report.kind === 'ready') {
          slot.ready = true;
          resolve();
          dispatch();
        } else if (report.kind === 'load-failed') {
          retire(slot);
          reject(new ScanPoolStartError(report.message, report.code));
        } else {
          finish(slot, report);
        }
      });
      // A worker that throws outside a scan, runs out of memory or exits has lost what it held.
      slot.worker.on('error', () => replace(slot, 'worker-failed', reject));
      slot.worker.on('exit', () => replace(slot, 'worker-failed', reject));
    });
  }

  function finish(slot: Slot, report: Extract<WorkerReport, { id: number }>): void {
    const pending = slot.inFlight[0];
    if (pending === undefined || pending.task.id !== report.id) return;
    slot.inFlight.shift();
    startClock(slot);
    if (report.kind === 'scanned') pending.resolve(report.result);
    else pending.reject(new ScanPoolError('scan-failed', `the scan failed (${report.code})`));
    dispatch();
  }

  /**
   * Fails the message the worker had in hand, ends the worker, and starts a fresh one unless closing; the
   * messages posted behind it were not started and go back to the front of the queue.
   */
  function replace(slot: Slot, reason: ScanPoolErrorCode, rejectStart: (error: Error) => void): void {
    if (!slots.has(slot)) return;
    const wasReady = slot.ready;
    retire(slot);
    const [inHand, ...notStarted] = slot.inFlight.splice(0);
    queue.unshift(...notStarted);
    inHand?.reject(new ScanPoolError(reason, reason === 'scan-timeout' ? `no scan result within ${timeoutMs} ms` : 'the scan worker stopped'));
    options.onWorkerFault?.({ reason, threadId: slot.worker.threadId });
    if (!wasReady) {
      rejectStart(new ScanPoolStartError('a scan worker stopped while loading the schools'));
      failQueueIfNoWorkers();
      return;
    }
    if (closed) return;
    start().catch(() => failQueueIfNoWorkers());
  }

  function retire(slot: Slot): void {
    slots.delete(slot);
    clearTimeout(slot.timer);
    slot.worker.removeAllListeners('message');
    void slot.worker.terminate();
  }

  /** The deadline runs for the scan in hand only, not for the time a message waits behind it. */
  function startClock(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.timer = slot.inFlight.length > 0 ? setTimeout(() => replace(slot, 'scan-timeout', () => undefined), timeoutMs) : undefined;
  }

  function failQueueIfNoWorkers(): void {
    if (slots.size > 0) return;
    for (const pending of queue.splice(0)) pending.reject(new ScanPoolError('no-workers', 'no scan worker could be started'));
  }

  /** Fills the least busy workers first, so with several workers one message never waits behind another needlessly. */
  function dispatch(): void {
    while (queue.length > 0) {
      let chosen: Slot | undefined;
      for (const slot of slots) {
        if (!slot.ready || slot.inFlight.length >= TASKS_PER_WORKER) continue;
        if (chosen === undefined || slot.inFlight.length < chosen.inFlight.length) chosen = slot;
      }
      if (chosen === undefined) return;
      const pending = queue.shift()!;
      chosen.inFlight.push(pending);
      if (chosen.inFlight.length === 1) startClock(chosen);
      chosen.worker.postMessage(pending.task);
    }
  }

  await Promise.all(Array.from({ length: options.size }, start)).catch(async (error: unknown) => {
    closed = true;
    await Promise.all([...slots].map((slot) => slot.worker.terminate()));
    throw error;
  });

  return {
    scan(message, envelope, schoolAddress = envelope.mailFrom) {
      if (closed) return Promise.reject(new ScanPoolError('closed', 'the scan pool is closed'));
      if (slots.size === 0) return Promise.reject(new ScanPoolError('no-workers', 'no scan worker could be started'));
      // Copied by postMessage, not moved: the caller's buffer stays whole for the delivery (a
      // small Buffer may even be a slice of Node's shared pool), and measured on Node 20 a copy
      // of a 20 KB message posts faster than a copy moved (docs/benchmarks.md).
      const task: ScanTask = { id: nextId++, message, envelope, schoolAddress };
      return new Promise<ScanResult>((resolve, reject) => {
        queue.push({ task, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new ScanPoolError('closed', 'the scan pool is closed'));
      await Promise.all(
        [...slots].map((slot) => {
          retire(slot);
          for (const pending of slot.inFlight.splice(0)) pending.reject(new ScanPoolError('closed', 'the scan pool is closed'));
          return slot.worker.terminate();
        }),
      );
    },
  };
}
