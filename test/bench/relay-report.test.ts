import { describe, expect, it } from 'vitest';
import type { ConnectionMode } from '../../bench/relay/postfix-tools.js';
import { summary, table, targets, type Measurement, type RelayPath } from '../../bench/relay/report.js';

/** Runs of 1,000 messages with 16 sessions through `path`, one at each rate (messages a second). */
const atRates = (connections: ConnectionMode, path: RelayPath, ...rates: number[]): Measurement[] =>
  rates.map((rate) => ({ connections, path, sessions: 16, messages: 1000, seconds: 1000 / rate, delivered: 1000 }));

/** Runs of 100 messages with one session through `path`, one at each pace (milliseconds a message). */
const atPaces = (connections: ConnectionMode, path: RelayPath, ...millis: number[]): Measurement[] =>
  millis.map((ms) => ({ connections, path, sessions: 1, messages: 100, seconds: ms / 10, delivered: 100 }));

/** Every path in one mode, one run each: direct 5,000 msg/s and 1 ms, Haraka 300 msg/s and 20 ms. */
const oneMode = (connections: ConnectionMode, hallmonitorRate: number, hallmonitorPace: number): Measurement[] => [
  ...atPaces(connections, 'direct', 1),
  ...atPaces(connections, 'Haraka', 20),
  ...atPaces(connections, 'Hallmonitor', hallmonitorPace),
  ...atRates(connections, 'direct', 5000),
  ...atRates(connections, 'Haraka', 300),
  ...atRates(connections, 'Hallmonitor', hallmonitorRate),
];

describe("bench:relay's targets", () => {
  it("compare each path's median run, so one run disturbed by the host decides nothing", () => {
    const report = targets(
      [
        ...atPaces('new', 'direct', 1),
        ...atPaces('new', 'Haraka', 20),
        // The median is 4 ms, 3 ms more than direct's 1 ms.
        ...atPaces('new', 'Hallmonitor', 50, 4, 3.5),
        ...atRates('new', 'direct', 6000, 1000, 5000),
        ...atRates('new', 'Haraka', 100, 320, 300),
        // The median, 750, is 2.50× Haraka's 300 and 0.150× direct's 5,000.
        ...atRates('new', 'Hallmonitor', 900, 480, 750),
      ],
      16,
    );
    expect(report).toContain("each path's median run of 3 is compared");
    expect(report).toContain('Hallmonitor / Haraka, 16 sessions: 2.50× (target ≥ 2×) — met');
    expect(report).toContain('Hallmonitor / direct, 16 sessions: 0.150× (target ≥ 0.15×) — met');
    expect(report).toContain('added latency per message, 1 session: 3.00 ms (target < 5 ms) — met');
  });

  it('says NOT met when the median falls short, however good the best run', () => {
    const report = targets(
      [
        ...atPaces('new', 'direct', 1),
        ...atPaces('new', 'Haraka', 20),
        ...atPaces('new', 'Hallmonitor', 7),
        ...atRates('new', 'direct', 5000),
        ...atRates('new', 'Haraka', 300),
        ...atRates('new', 'Hallmonitor', 400, 450, 2000),
      ],
      16,
    );
    expect(report).toContain('Hallmonitor / Haraka, 16 sessions: 1.50× (target ≥ 2×) — NOT met');
    expect(report).toContain('Hallmonitor / direct, 16 sessions: 0.090× (target ≥ 0.15×) — NOT met');
    expect(report).toContain('added latency per message, 1 session: 6.00 ms (target < 5 ms) — NOT met');
  });

  it('judges each connection mode against its own direct and Haraka runs, new connections first', () => {
    // Reused: 1,000 msg/s is 3.33× Haraka and 0.200× direct; new: 500 msg/s is 1.67× and 0.100×.
    const report = targets([...oneMode('reused', 1000, 2), ...oneMode('new', 500, 8)], 16);
    const [newMode, reusedMode] = report.split('connections reused:');
    expect(newMode).toContain('a new connection per message:');
    expect(newMode).toContain('Hallmonitor / Haraka, 16 sessions: 1.67× (target ≥ 2×) — NOT met');
    expect(newMode).toContain('added latency per message, 1 session: 7.00 ms (target < 5 ms) — NOT met');
    expect(reusedMode).toContain('Hallmonitor / Haraka, 16 sessions: 3.33× (target ≥ 2×) — met');
    expect(reusedMode).toContain('Hallmonitor / direct, 16 sessions: 0.200× (target ≥ 0.15×) — met');
    expect(reusedMode).toContain('added latency per message, 1 session: 1.00 ms (target < 5 ms) — met');
  });
});

describe("bench:relay's tables", () => {
  it('list every run, new connections first, compared within their own mode', () => {
    const rows = table([...oneMode('reused', 1000, 2), ...oneMode('new', 500, 8)])
      .split('\n')
      .slice(1);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual([...Array<string>(6).fill('new'), ...Array<string>(6).fill('reused')]);
    const hallmonitorNew = rows.find((row) => row.startsWith('new') && row.includes('Hallmonitor') && /\b16\b/.test(row));
    expect(hallmonitorNew?.split(/\s+/).slice(6, 9)).toEqual(['500', '0.100', '1.67']);
  });

  it("sum up each mode's medians and the latency each relay adds", () => {
    const rows = summary([...oneMode('new', 500, 8), ...oneMode('reused', 1000, 2)], 16)
      .split('\n')
      .slice(1);
    expect(rows.map((row) => row.trim().split(/\s+/))).toEqual([
      ['new', 'direct', '5000', '1.00'],
      ['new', 'Haraka', '300', '20.00', '19.00'],
      ['new', 'Hallmonitor', '500', '8.00', '7.00'],
      ['reused', 'direct', '5000', '1.00'],
      ['reused', 'Haraka', '300', '20.00', '19.00'],
      ['reused', 'Hallmonitor', '1000', '2.00', '1.00'],
    ]);
  });
});
