import { WebError } from './web-error.js';

export interface ConcurrencyLimitOptions {
  /** Tasks run at once (default 2): scrypt runs on libuv's pool of 4 threads, which the SMTP spool shares. */
  readonly running?: number;
  /** Tasks waiting for a turn (default 32); beyond it a request is refused at once with 503. */
  readonly waiting?: number;
}

export const PASSWORD_HASH_LIMIT = { running: 2, waiting: 32 } as const;

/**
 * Bounds how many password hashes run at once (OWASP ASVS 11.1.4, 2.2.1): a flood of sign-ins queues here, briefly,
 * or is refused with 503, instead of filling the thread pool that file and crypto work of the SMTP side needs.
 */
export class ConcurrencyLimit {
  readonly #running: number;
  readonly #waiting: number;
  #active = 0;
  readonly #queue: (() => void)[] = [];

  constructor(options: ConcurrencyLimitOptions = {}) {
    this.#running = options.running ?? PASSWORD_HASH_LIMIT.running;
    this.#waiting = options.waiting ?? PASSWORD_HASH_LIMIT.waiting;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#running) {
      if (this.#queue.length >= this.#waiting) throw new WebError('unavailable', 'Too many sign-ins at once. Try again in a moment.');
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else {
      this.#active += 1;
    }
    try {
      return await task();
    } finally {
      // The slot passes straight to the next in line, so `active` never drops below what is really running.
      const next = this.#queue.shift();
      if (next) next();
      else this.#active -= 1;
    }
  }

  /** Tasks running and waiting, for tests and metrics. */
  get load(): { readonly running: number; readonly waiting: number } {
    return { running: this.#active, waiting: this.#queue.length };
  }
}
