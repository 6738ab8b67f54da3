import type { ConnectionMode, SourceRun } from './postfix-tools.js';

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

/** The targets, the same in both connection modes: rates with many sessions, latency with one. */
const HARAKA_RATIO_TARGET = 2;
const DIRECT_RATIO_TARGET = 0.15;
const ADDED_LATENCY_TARGET_MS = 5;

/** The hard case first: a new connection per message pays for the connection as well as the message. */
const MODES: readonly ConnectionMode[] = ['new', 'reused'];

const MODE_NAMES: Record<ConnectionMode, string> = { new: 'a new connection per message', reused: 'connections reused' };

export function rate(run: SourceRun): number {
  return run.messages / run.seconds;
}

function millisPerMessage(run: SourceRun): number {
  return (run.seconds * 1000) / run.messages;
}

/** The runs through `path` in one mode with `sessions` sessions; of several, the one with the median rate. */
function median(measurements: readonly Measurement[], path: RelayPath, connections: ConnectionMode, sessions: number): Measurement {
  const runs = measurements
    .filter((measurement) => measurement.path === path && measurement.connections === connections && measurement.sessions === sessions)
    .sort((a, b) => rate(a) - rate(b));
  const middle = runs[Math.floor(runs.length / 2)];
  if (!middle) throw new Error(`no ${path} run with ${sessions} sessions and ${MODE_NAMES[connections]}`);
  return middle;
}

/** Every run, grouped by mode, path and sessions; the × columns compare with the other path's median run of the same kind. */
export function table(measurements: readonly Measurement[]): string {
  const header = 'connections  path          sessions  messages  delivered  seconds    msg/s  × direct  × Haraka  CPU ms/msg  main thread';
  const ordered = MODES.flatMap((connections) => measurements.filter((measurement) => measurement.connections === connections));
  const rows = ordered.map((measurement) => {
    const perSecond = rate(measurement);
    const versus = (path: RelayPath) => perSecond / rate(median(measurements, path, measurement.connections, measurement.sessions));
    return [
      measurement.connections.padEnd(11),
      measurement.path.padEnd(12),
      String(measurement.sessions).padStart(9),
      String(measurement.messages).padStart(9),
      String(measurement.delivered).padStart(10),
      measurement.seconds.toFixed(2).padStart(8),
      perSecond.toFixed(0).padStart(8),
      versus('direct').toFixed(3).padStart(9),
      versus('Haraka').toFixed(2).padStart(9),
      (measurement.cpuMillisPerMessage?.toFixed(2) ?? '').padStart(11),
      (measurement.mainThreadCpuMillisPerMessage?.toFixed(2) ?? '').padStart(12),
    ].join(' ');
  });
  return [header, ...rows].join('\n');
}

/** Milliseconds per message with one session through `path` (its median run), minus the same sent directly. */
export function addedLatencyMillis(measurements: readonly Measurement[], path: RelayPath, connections: ConnectionMode): number {
  return millisPerMessage(median(measurements, path, connections, 1)) - millisPerMessage(median(measurements, 'direct', connections, 1));
}

/** Each mode's verdicts on the three targets, the modes measured in `measurements` only. */
export function targets(measurements: readonly Measurement[], manySessions: number): string {
  const measured = MODES.filter((connections) => measurements.some((measurement) => measurement.connections === connections));
  const repeats = measurements.filter((measurement) => measurement.path === 'Hallmonitor' && measurement.sessions === manySessions).length / measured.length;
  const lines = measured.flatMap((connections) => modeVerdicts(measurements, connections, manySessions));
  return [
    ...(repeats > 1 ? [`each path's median run of ${repeats} is compared, in each mode, with 1 and with ${manySessions} sessions (the × columns above too)`] : []),
    ...lines,
  ].join('\n');
}

function modeVerdicts(measurements: readonly Measurement[], connections: ConnectionMode, manySessions: number): string[] {
  const hallmonitor = rate(median(measurements, 'Hallmonitor', connections, manySessions));
  const harakaRatio = hallmonitor / rate(median(measurements, 'Haraka', connections, manySessions));
  const directRatio = hallmonitor / rate(median(measurements, 'direct', connections, manySessions));
  const added = addedLatencyMillis(measurements, 'Hallmonitor', connections);
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  return [
    `${MODE_NAMES[connections]}:`,
    `  Hallmonitor / Haraka, ${manySessions} sessions: ${harakaRatio.toFixed(2)}× (target ≥ ${HARAKA_RATIO_TARGET}×) — ${verdict(harakaRatio >= HARAKA_RATIO_TARGET)}`,
    `  Hallmonitor / direct, ${manySessions} sessions: ${directRatio.toFixed(3)}× (target ≥ ${DIRECT_RATIO_TARGET}×) — ${verdict(directRatio >= DIRECT_RATIO_TARGET)}`,
    `  added latency per message, 1 session: ${added.toFixed(2)} ms (target < ${ADDED_LATENCY_TARGET_MS} ms) — ${verdict(added < ADDED_LATENCY_TARGET_MS)}`,
    `  (Haraka's added latency, 1 session: ${addedLatencyMillis(measurements, 'Haraka', connections).toFixed(2)} ms)`,
  ];
}

/** One line per mode and path: the median rates and paces the targets are read from, for docs/benchmarks.md. */
export function summary(measurements: readonly Measurement[], manySessions: number): string {
  const header = `connections  path         msg/s (${manySessions} sessions)  ms/msg (1 session)  added ms/msg  CPU ms/msg (${manySessions} sessions)`;
  const paths: readonly RelayPath[] = ['direct', 'Haraka', 'Hallmonitor'];
  const rows = MODES.filter((connections) => measurements.some((measurement) => measurement.connections === connections)).flatMap((connections) =>
    paths.map((path) => {
      const many = median(measurements, path, connections, manySessions);
      const one = median(measurements, path, connections, 1);
      return [
        connections.padEnd(11),
        path.padEnd(12),
        rate(many)
          .toFixed(0)
          .padStart(String(manySessions).length + 16),
        millisPerMessage(one).toFixed(2).padStart(19),
        (path === 'direct' ? '' : addedLatencyMillis(measurements, path, connections).toFixed(2)).padStart(13),
        (many.cpuMillisPerMessage?.toFixed(2) ?? '').padStart(String(manySessions).length + 21),
      ].join(' ');
    }),
  );
  return [header, ...rows].join('\n');
}
