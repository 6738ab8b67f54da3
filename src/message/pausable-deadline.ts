/**
 * A time limit that can stop counting: a file's `maxExtractMillis` pauses while one of its images
 * is read by OCR, which has a limit of its own. Its signal aborts with a `TimeoutError`, as
 * `AbortSignal.timeout` does, and its timer never keeps the process alive.
 */
export class PausableDeadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private remainingMs: number;
  private resumedAt = 0;

  constructor(limitMs: number) {
    this.remainingMs = limitMs;
    this.resume();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  pause(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remainingMs = Math.max(0, this.remainingMs - (performance.now() - this.resumedAt));
  }

  resume(): void {
    if (this.timer !== undefined || this.controller.signal.aborted) return;
    this.resumedAt = performance.now();
    this.timer = setTimeout(() => this.controller.abort(new DOMException('The operation timed out.', 'TimeoutError')), this.remainingMs);
    this.timer.unref();
  }

  /** Stops the timer for good once the file is read. */
  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
