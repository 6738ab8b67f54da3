import { describe, expect, it } from 'vitest';
import { report } from '../../bench/soak/report.js';
import { DEFAULT_OPTIONS, runSoak } from '../../bench/soak/run-soak.js';

/**
 * `npm run soak` in small, so it cannot rot: two built `serve` processes (dist/, made by `npm test`'s
 * pretest), one flap of the next hop (421/451, then its port closed), one SIGKILL and restart, and the
 * proof by message key. The full 10,000 are in docs/benchmarks.md.
 */
describe('the soak, in small', () => {
  it('loses nothing, holds nothing twice and delivers twice only within the at-least-once window', async () => {
    const count = 150;
    const result = await runSoak({
      ...DEFAULT_OPTIONS,
      count,
      seed: 7,
      flap: { accepting: 4_000, tempfailing: 1_500, down: 1_500 },
      flaps: 1,
      killPauseMillis: 1_000,
      settleMillis: 20_000,
      log: () => undefined,
    });
    const { accounting } = result;
    expect(accounting.failing).toEqual([]);
    expect(result.failed).toBe(false);
    expect(accounting.sent).toBe(count);
    expect(accounting.fates.lost).toBe(0);
    expect(accounting.fates.conflict).toBe(0);
    expect(accounting.duplicates.unexplained).toBe(0);
    expect(accounting.duplicateHolds).toBe(0);
    // Every message is in exactly one place.
    const { delivered, quarantined, returned } = accounting.fates;
    expect(delivered + quarantined + returned + accounting.fates['refused-for-now']).toBe(count);
    // The chaos happened and the mix reached every outcome.
    expect(result.phases.down).toBe(1);
    expect(result.phases.tempfailing).toBe(1);
    expect(result.kill.atSecond).toBeGreaterThan(0);
    expect(accounting.retries).toBeGreaterThan(0);
    expect(accounting.sentBy['smtp-source']).toBeGreaterThan(0);
    expect(delivered).toBeGreaterThan(0);
    expect(accounting.encrypted).toBeGreaterThan(0);
    expect(quarantined).toBeGreaterThan(0);
    expect(returned).toBeGreaterThan(0);
    expect(report(result, count, 7)).toMatch(/^PROOF: 150 of 150 messages .* — HOLDS$/m);
  }, 240_000);
});
