import type { Envelope } from '../message/envelope.js';
import type { ScanResult } from './scan-message.js';

/**
 * What the scan pool and its workers say to each other (scan-pool.ts, scan-worker.ts): plain
 * data only, so that it crosses the thread boundary by structured clone.
 */

/** One message to scan: its bytes or, for a large one, its spool file's path. */
export interface ScanTask {
  readonly id: number;
  readonly message: Uint8Array | string;
  readonly envelope: Envelope;
  /** Whose school judges it: the envelope sender, or for the null sender its `From:` (message-origin.ts). */
  readonly schoolAddress: string;
}

export type WorkerReport =
  /** The worker has loaded every school and takes tasks. */
  | { readonly kind: 'ready' }
  /** The schools could not be loaded; the worker ends. Code and message, never content. */
  | { readonly kind: 'load-failed'; readonly code: string; readonly message: string }
  | { readonly kind: 'scanned'; readonly id: number; readonly result: ScanResult }
  /** The scan threw; only a stable code crosses, since an error's message may quote content. */
  | { readonly kind: 'scan-failed'; readonly id: number; readonly code: string };
