import type { Envelope } from '../message/envelope.js';
import type { ScanPool } from '../scan/scan-pool.js';
import type { ScanResult } from '../scan/scan-message.js';
import type { Tenants } from '../scan/tenants.js';

/** The schools' policies and the scan workers that hold their rosters: what a reload replaces as one. */
export interface SchoolPolicies {
  readonly tenants: Tenants;
  readonly scanPool: ScanPool;
}

interface Generation extends SchoolPolicies {
  inFlight: number;
  drained: (() => void) | undefined;
}

/**
 * The schools in force, replaceable while the gateway runs (SIGHUP): a message is scanned wholly under the
 * policies it started with; the old scan workers are closed once their last scan is done, so a reload drops
 * no connection and fails no message.
 */
export class ReloadableSchools implements ScanPool {
  #current: Generation;

  constructor(first: SchoolPolicies) {
    this.#current = { ...first, inFlight: 0, drained: undefined };
  }

  get tenants(): Tenants {
    return this.#current.tenants;
  }

  async scan(message: Buffer | string, envelope: Envelope, schoolAddress?: string): Promise<ScanResult> {
    const generation = this.#current;
    generation.inFlight += 1;
    try {
      return await generation.scanPool.scan(message, envelope, schoolAddress);
    } finally {
      generation.inFlight -= 1;
      if (generation.inFlight === 0) generation.drained?.();
    }
  }

  /** Puts `next` in force at once, then closes the old workers when their scans in hand are finished. */
  async replace(next: SchoolPolicies): Promise<void> {
    const old = this.#current;
    this.#current = { ...next, inFlight: 0, drained: undefined };
    if (old.inFlight > 0) await new Promise<void>((resolve) => (old.drained = resolve));
    await old.scanPool.close();
  }

  async close(): Promise<void> {
    await this.#current.scanPool.close();
  }
}
