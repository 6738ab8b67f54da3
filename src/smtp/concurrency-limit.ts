import { GATEWAY_DEFAULTS } from '../config/gateway-config.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

export interface ConcurrencyLimitOptions {
  /** Tasks run at once: scrypt runs on libuv's pool of 4 threads, which the SMTP spool shares. */
  readonly running?: number;
  /** Tasks waiting for a turn; beyond it a task is refused at once with `ConcurrencyLimitFull`. */
  readonly waiting?: number;
}

export const PASSWORD_HASH_LIMIT = GATEWAY_DEFAULTS.passwordHashes;

/** Every turn is taken: each edge answers it as a temporary failure (SMTP 454, HTTP 503). */
export class ConcurrencyLimitFull extends HallmonitorError {
  readonly code = 'too-busy';
  readonly disposition = 'temporary';
  constructor() {
    super('too many password checks at once');
    this.name = 'ConcurrencyLimitFull';
  }
}

/**
 * Bounds how many password hashes run at once (OWASP ASVS 11.1.4, 2.2.1): scrypt at PASSWORD_COST takes 128 MiB
 * and a thread of libuv's pool for each hash, so a flood of sign-ins or SMTP AUTH attempts queues here, briefly,
 * or is refused, instead of exhausting memory and the pool that the SMTP side's file and crypto work needs.
 * One limit serves the review app and SMTP AUTH in a process (src/gateway/start-gateway.ts).
 */
export class ConcurrencyLimit {
  readonly #running: number;
  readonly #waiting: number;
  #active = 0;
  #mostActive = 0;
  readonly #queue: (() => void)[] = [];

  constructor(options: ConcurrencyLimitOptions = {}) {
    this.#running = options.running ?? PASSWORD_HASH_LIMIT.running;
    this.#waiting = options.waiting ?? PASSWORD_HASH_LIMIT.waiting;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#running) {
      if (this.#queue.length >= this.#waiting) throw new ConcurrencyLimitFull();
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else {
      this.#active += 1;
      this.#mostActive = Math.max(this.#mostActive, this.#active);
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

  /** Tasks running and waiting, and the most that ever ran at once: for tests and metrics. */
  get load(): { readonly running: number; readonly waiting: number; readonly mostRunning: number } {
    return { running: this.#active, waiting: this.#queue.length, mostRunning: this.#mostActive };
  }
}
