import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit, ConcurrencyLimitFull } from '../../src/smtp/concurrency-limit.js';

describe('ConcurrencyLimit (password hashes at once)', () => {
  it('runs at most `running` tasks at once, queues up to `waiting`, and refuses beyond as a temporary failure', async () => {
    const limit = new ConcurrencyLimit({ running: 2, waiting: 3 });
    let inFlight = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const task = () =>
      limit.run(async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise<void>((resolve) => releases.push(resolve));
        inFlight -= 1;
      });
    const accepted = Array.from({ length: 5 }, task);
    await expect(task()).rejects.toBeInstanceOf(ConcurrencyLimitFull);
    expect(limit.load).toEqual({ running: 2, waiting: 3, mostRunning: 2 });
    while (releases.length > 0 || inFlight > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(accepted);
    expect(most).toBe(2);
    expect(limit.load).toEqual({ running: 0, waiting: 0, mostRunning: 2 });
  });

  it('frees its slot when a task fails', async () => {
    const limit = new ConcurrencyLimit({ running: 1, waiting: 0 });
    await expect(limit.run(() => Promise.reject(new Error('hash failed')))).rejects.toThrow('hash failed');
    expect(await limit.run(async () => 'next')).toBe('next');
  });
});
