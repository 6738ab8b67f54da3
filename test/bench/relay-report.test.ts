import { describe, expect, it } from 'vitest';
import { targets, type Measurement, type RelayPath } from '../../bench/relay/report.js';

/** Runs of 1,000 messages with 16 sessions through `path`, one at each rate (messages a second). */
const atRates = (path: RelayPath, ...rates: number[]): Measurement[] =>
  rates.map((rate) => ({ path, sessions: 16, messages: 1000, seconds: 1000 / rate, delivered: 1000 }));

/** Runs of 100 messages with one session through `path`, one at each pace (milliseconds a message). */
const atPaces = (path: RelayPath, ...millis: number[]): Measurement[] =>
  millis.map((ms) => ({ path, sessions: 1, messages: 100, seconds: ms / 10, delivered: 100 }));

describe("bench:relay's targets", () => {
  it("compare each path's median run, so one run disturbed by the host decides nothing", () => {
    const report = targets(
      [
        ...atPaces('direct', 1),
        ...atPaces('Haraka', 20),
        // The median is 6 ms, 5 ms more than direct's 1 ms.
        ...atPaces('Hallmonitor', 50, 5, 6),
        ...atRates('direct', 6000, 1000, 5000),
        ...atRates('Haraka', 100, 320, 300),
        // The median, 510, is 1.70× Haraka's 300 and 0.102× direct's 5,000.
        ...atRates('Hallmonitor', 900, 480, 510),
      ],
      16,
    );
    expect(report).toContain("each path's median run of 3 is compared");
    expect(report).toContain('Hallmonitor / Haraka, 16 sessions: 1.70× (target ≥ 1.7×) — met');
    expect(report).toContain('Hallmonitor / direct, 16 sessions: 0.102× (target ≥ 0.1×) — met');
    expect(report).toContain('added latency per message, 1 session: 5.00 ms (target < 10 ms) — met');
  });

  it('says NOT met when the median falls short, however good the best run', () => {
    const report = targets(
      [...atPaces('direct', 1), ...atPaces('Haraka', 20), ...atPaces('Hallmonitor', 5), ...atRates('direct', 5000), ...atRates('Haraka', 300), ...atRates('Hallmonitor', 400, 450, 2000)],
      16,
    );
    expect(report).toContain('Hallmonitor / Haraka, 16 sessions: 1.50× (target ≥ 1.7×) — NOT met');
    expect(report).toContain('Hallmonitor / direct, 16 sessions: 0.090× (target ≥ 0.1×) — NOT met');
  });
});
