import type { SourceRun } from './postfix-tools.js';

export type RelayPath = 'direct' | 'Haraka' | 'Hallmonitor';

export interface Measurement extends SourceRun {
  readonly path: RelayPath;
  /** Messages the sink accepted during this run. */
  readonly delivered: number;
  /** CPU time the relay's processes (every thread) spent per message; none for the direct path. */
  readonly cpuMillisPerMessage?: number | undefined;
  /** The same for the process's main thread alone (the event loop). */
  readonly mainThreadCpuMillisPerMessage?: number | undefined;
}

/** The targets (issue 4, "npm run bench:relay"). */
const HARAKA_RATIO_TARGET = 1.7;
const DIRECT_RATIO_TARGET = 0.1;
const ADDED_LATENCY_TARGET_MS = 10;

export function rate(run: SourceRun): number {
  return run.messages / run.seconds;
}

/** The run through `path` with `sessions` sessions; of several, the one with the median rate. */
function find(measurements: readonly Measurement[], path: RelayPath, sessions: number): Measurement {
  const runs = measurements.filter((measurement) => measurement.path === path && measurement.sessions === sessions).sort((a, b) => rate(a) - rate(b));
  const median = runs[Math.floor(runs.length / 2)];
  if (!median) throw new Error(`no ${path} run with ${sessions} sessions`);
  return median;
}

export function table(measurements: readonly Measurement[]): string {
  const header = 'path          sessions  messages  delivered  seconds    msg/s  × direct  × Haraka  CPU ms/msg  main thread';
  const rows = measurements.map((measurement) => {
    const perSecond = rate(measurement);
    return [
      measurement.path.padEnd(12),
      String(measurement.sessions).padStart(9),
      String(measurement.messages).padStart(9),
      String(measurement.delivered).padStart(10),
      measurement.seconds.toFixed(2).padStart(8),
      perSecond.toFixed(0).padStart(8),
      (perSecond / rate(find(measurements, 'direct', measurement.sessions))).toFixed(3).padStart(9),
      (perSecond / rate(find(measurements, 'Haraka', measurement.sessions))).toFixed(2).padStart(9),
      (measurement.cpuMillisPerMessage === undefined ? '' : measurement.cpuMillisPerMessage.toFixed(2)).padStart(11),
      (measurement.mainThreadCpuMillisPerMessage === undefined ? '' : measurement.mainThreadCpuMillisPerMessage.toFixed(2)).padStart(12),
    ].join(' ');
  });
  return [header, ...rows].join('\n');
}

/** Milliseconds per message with one session through `path` (its median run), minus the same sent directly. */
export function addedLatencyMillis(measurements: readonly Measurement[], path: RelayPath): number {
  const perMessage = (run: SourceRun) => (run.seconds * 1000) / run.messages;
  return perMessage(find(measurements, path, 1)) - perMessage(find(measurements, 'direct', 1));
}

export function targets(measurements: readonly Measurement[], manySessions: number): string {
  const hallmonitor = rate(find(measurements, 'Hallmonitor', manySessions));
  const harakaRatio = hallmonitor / rate(find(measurements, 'Haraka', manySessions));
  const directRatio = hallmonitor / rate(find(measurements, 'direct', manySessions));
  const added = addedLatencyMillis(measurements, 'Hallmonitor');
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  const repeats = measurements.filter((measurement) => measurement.path === 'Hallmonitor' && measurement.sessions === manySessions).length;
  return [
    ...(repeats > 1 ? [`each path's median run of ${repeats} is compared, with 1 and with ${manySessions} sessions (the × columns above too)`] : []),
    `Hallmonitor / Haraka, ${manySessions} sessions: ${harakaRatio.toFixed(2)}× (target ≥ ${HARAKA_RATIO_TARGET}×) — ${verdict(harakaRatio >= HARAKA_RATIO_TARGET)}`,
    `Hallmonitor / direct, ${manySessions} sessions: ${directRatio.toFixed(3)}× (target ≥ ${DIRECT_RATIO_TARGET}×) — ${verdict(directRatio >= DIRECT_RATIO_TARGET)}`,
    `added latency per message, 1 session: ${added.toFixed(2)} ms (target < ${ADDED_LATENCY_TARGET_MS} ms) — ${verdict(added < ADDED_LATENCY_TARGET_MS)}`,
    `(Haraka's added latency, 1 session: ${addedLatencyMillis(measurements, 'Haraka').toFixed(2)} ms)`,
  ].join('\n');
}
