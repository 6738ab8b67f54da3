import { describe, expect, it } from 'vitest';
import { readinessOf } from '../../src/gateway/readiness.js';

const answers = () => Promise.resolve();
const fails = () => Promise.reject(new Error('refused'));
const never = () => new Promise<void>(() => undefined);

describe('readinessOf', () => {
  it('is ready only when every check answers, and names the ones that failed or hung', async () => {
    expect(
      await readinessOf([
        { name: 'redis', probe: answers },
        { name: 'store', probe: answers },
      ])(),
    ).toEqual({ ready: true, failing: [] });
    const readiness = readinessOf(
      [
        { name: 'redis', probe: fails },
        { name: 'store', probe: answers },
        { name: 'next-hop', probe: never },
      ],
      { timeoutMs: 50 },
    );
    expect(await readiness()).toEqual({ ready: false, failing: ['redis', 'next-hop'] });
  });

  it('is not ready while the gateway stops, whatever the checks say', async () => {
    let running = true;
    const readiness = readinessOf([{ name: 'redis', probe: answers }], { running: () => running, reuseMs: 0 });
    expect((await readiness()).ready).toBe(true);
    running = false;
    expect(await readiness()).toEqual({ ready: false, failing: ['stopping'] });
  });

  it('reuses a result for a short while, so many probes cost one round of checks', async () => {
    let calls = 0;
    const readiness = readinessOf([{ name: 'store', probe: async () => void (calls += 1) }], { reuseMs: 60_000 });
    await Promise.all([readiness(), readiness(), readiness()]);
    await readiness();
    expect(calls).toBe(1);
  });
});
