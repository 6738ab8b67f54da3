import { describe, expect, it } from 'vitest';
import { targets, type Measurement, type RelayPath } from '../../bench/relay/report.js';

/** A run of `messages` messages taking `seconds`: its rate is messages / seconds. */
const run = (path: RelayPath, sessions: number, messages: number, seconds: number): Measurement => ({ path, sessions, messages, seconds, delivered: messages });

describe("bench:relay's targets", () => {
  it("compare each path's median run, so one run disturbed by the host decides nothing", () => {
    const measurements = [
      run('direct', 1, 100, 0.1),
      run('Haraka', 1, 100, 2),
      // 5, 50 and 6 ms a message: the median is 6 ms, 5 ms more than direct's 1 ms.
      run('Hallmonitor', 1, 100, 0.5),
      run('Hallmonitor', 1, 100, 5),
      run('Hallmonitor', 1, 100, 0.6),
      // Rates 5,000 / 6,000 / 1,000: the median is 5,000.
      run('direct', 16, 1000, 0.2),
      run('direct', 16, 1000, 1 / 6),
      run('direct', 16, 1000, 1),
      // Rates 300 / 320 / 100: the median is 300.
      run('Haraka', 16, 1000, 1000 / 300),
      run('Haraka', 16, 1000, 1000 / 320),
      run('Haraka', 16, 1000, 10),
      // Rates 510 / 900 / 480: the median is 510, 1.70× Haraka's and 0.102× direct's.
      run('Hallmonitor', 16, 1000, 1000 / 510),
      run('Hallmonitor', 16, 1000, 1000 / 900),
      run('Hallmonitor', 16, 1000, 1000 / 480),
    ];
    const report = targets(measurements, 16);
    expect(report).toContain("each path's median run of 3 is compared");
    expect(report).toContain('Hallmonitor / Haraka, 16 sessions: 1.70× (target ≥ 1.7×) — met');
    expect(report).toContain('Hallmonitor / direct, 16 sessions: 0.102× (target ≥ 0.1×) — met');
    expect(report).toContain('added latency per message, 1 session: 5.00 ms (target < 10 ms) — met');
  });

  it('says NOT met when the median falls short, however good the best run', () => {
    const measurements = [
      run('direct', 1, 100, 0.1),
      run('Haraka', 1, 100, 2),
      run('Hallmonitor', 1, 100, 0.5),
      run('direct', 16, 1000, 0.2),
      run('Haraka', 16, 1000, 1000 / 300),
      run('Hallmonitor', 16, 1000, 1000 / 400),
      run('Hallmonitor', 16, 1000, 1000 / 450),
      run('Hallmonitor', 16, 1000, 1000 / 2000),
    ];
    const report = targets(measurements, 16);
    expect(report).toContain('Hallmonitor / Haraka, 16 sessions: 1.50× (target ≥ 1.7×) — NOT met');
    expect(report).toContain('Hallmonitor / direct, 16 sessions: 0.090× (target ≥ 0.1×) — NOT met');
  });
});
