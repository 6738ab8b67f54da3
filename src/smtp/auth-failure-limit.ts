import { GATEWAY_DEFAULTS } from '../config/gateway-config.js';

/** How many failed SMTP AUTH attempts are allowed in a window before AUTH is refused for a while. */
export interface AuthFailureLimitOptions {
  /** Failures allowed from one client address per window (default `limits.smtpAuthFailures`). */
  readonly perAddress?: number;
  /** Failures allowed from every client together per window: a spread-out guessing campaign. */
  readonly total?: number;
  /** The window, in milliseconds. */
  readonly windowMs?: number;
}

const { perAddress, total, windowMinutes } = GATEWAY_DEFAULTS.smtpAuthFailures;
export const AUTH_FAILURE_DEFAULTS = { perAddress, total, windowMs: windowMinutes * 60_000 } as const;

/** Which limit holds a client back, if one does. */
export type AuthThrottle = 'address' | 'total' | undefined;

/**
 * Counts failed AUTH attempts per client address and in total, over a sliding window (OWASP ASVS 2.2.1): once
 * a limit is reached, AUTH is refused with a temporary failure before any password is checked, so a guesser
 * gains nothing and costs the gateway no hashing. Memory is bounded by the failures in one window.
 */
export class AuthFailureLimit {
  readonly #perAddress: number;
  readonly #total: number;
  readonly #windowMs: number;
  readonly #byAddress = new Map<string, number[]>();
  #all: number[] = [];

  constructor(options: AuthFailureLimitOptions = {}) {
    this.#perAddress = options.perAddress ?? AUTH_FAILURE_DEFAULTS.perAddress;
    this.#total = options.total ?? AUTH_FAILURE_DEFAULTS.total;
    this.#windowMs = options.windowMs ?? AUTH_FAILURE_DEFAULTS.windowMs;
  }

  /** Whether an attempt from `address` may be checked now. */
  throttled(address: string, now: number): AuthThrottle {
    this.#forget(now);
    if (this.#all.length >= this.#total) return 'total';
    if ((this.#byAddress.get(address)?.length ?? 0) >= this.#perAddress) return 'address';
    return undefined;
  }

  failed(address: string, now: number): void {
    this.#forget(now);
    this.#all.push(now);
    this.#byAddress.set(address, [...(this.#byAddress.get(address) ?? []), now]);
  }

  #forget(now: number): void {
    const since = now - this.#windowMs;
    if ((this.#all[0] ?? now) > since) return;
    this.#all = this.#all.filter((at) => at > since);
    for (const [address, times] of this.#byAddress) {
      const kept = times.filter((at) => at > since);
      if (kept.length === 0) this.#byAddress.delete(address);
      else this.#byAddress.set(address, kept);
    }
  }
}
