import type { ScanResult } from '../scan/scan-message.js';
import type { SpooledMessage } from '../smtp/spooled-message.js';

/** One message on its way through the actions: what came in, what the scan decided, and for which school. */
export interface MessageCase {
  readonly message: SpooledMessage;
  readonly result: ScanResult;
  readonly school: { readonly id: string; readonly name?: string | undefined; readonly domains: readonly string[] };
  /**
   * The same for every try of the same message (its envelope and body), unlike the spool id: the quarantine id
   * and the jobs' ids, so a client's retry after a 451 holds, notifies and alerts once.
   */
  readonly key: string;
  readonly receivedAt: Date;
  /** An automatic message (message-origin.ts): nobody is sent a notice about it, so no loop of them can start. */
  readonly automatic?: boolean;
  /** This gateway's trace header line, prepended to whatever it hands on (loop protection). */
  readonly traceHeader?: Buffer;
  readonly scanMs: number;
  /** `performance.now()` when acting began, for the audit's timings. */
  readonly actingSince: number;
}
