/**
 * `npm run bench:relay`: messages per second with 1 and 16 sessions of Postfix's smtp-source
 * sending a 20 KB staff email (bench/staff-email.ts) to smtp-sink directly, through Haraka
 * forwarding with no other plugins, and through `hallmonitor serve` scanning fully with a
 * 100,000-pupil roster, side by side in one run (in rounds, each path in turn), both with a new
 * connection per message and with connections reused; and the latency each relay adds per message
 * with one session. It prints figures and the targets; it asserts nothing. For Haraka and
 * Hallmonitor it also prints the CPU time their processes spent per message (all threads and child
 * processes), which the machine's other load disturbs far less than the rates. Set
 * HM_BENCH_CPU_PROF=DIR to write a CPU profile of the serve process there.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/gateway/free-port.js';
import { Children } from './relay/children.js';
import { startHaraka } from './relay/haraka.js';
import { RECIPIENT, RECIPIENT_DOMAIN, ROSTER_SIZE, SENDER, startHallmonitor } from './relay/hallmonitor.js';
import { sendWithSmtpSource, startSink, type ConnectionMode, type Sink, type SourceLoad } from './relay/postfix-tools.js';
import { cpuSeconds, mainThreadCpuSeconds } from './relay/process-cpu.js';
import { summary, table, targets, type Measurement, type RelayPath } from './relay/report.js';
import { staffEmail } from './staff-email.js';
const MANY_SESSIONS = 16;
/** The hard case first. */
const MODES: readonly ConnectionMode[] = ['new', 'reused'];
/**
 * HM_BENCH_SMOKE=1: one short round with a few messages, to show that every path runs and delivers
 * (its figures mean nothing).
 */
const SMOKE = process.env.HM_BENCH_SMOKE === '1';
/** Bounded runs: enough messages for a steady rate, few enough to finish in minutes. */
const ONE_SESSION = { sessions: 1, messages: SMOKE ? 10 : 200 };
const MANY = { sessions: MANY_SESSIONS, messages: SMOKE ? 48 : 1_000 };
/**
 * The runs come in rounds, each path in turn, and the targets are read off each path's median: on
 * a shared VM the CPU the host gives us drifts by a fifth or more within a minute, and taking the
 * paths in turn spreads that drift over all three instead of landing on one.
 */
const ROUNDS = SMOKE ? 1 : 5;
/**
 * What a gateway meets after a restart, not after weeks of running: 500 messages in each mode
 * before anything is measured. Node's optimising compilers are still at work on the hot code
 * after that (a gateway's first few thousand messages cost it more), so the figures are if
 * anything pessimistic.
 */
const WARM_UP = { sessions: MANY_SESSIONS, messages: SMOKE ? 32 : 500 };

async function main(): Promise<void> {
  const children = new Children();
  const folder = await mkdtemp(join(tmpdir(), 'hm-bench-relay-'));
  const stopOnSignal = () =>
    void children
      .stopAll()
      .then(() => rm(folder, { recursive: true, force: true }))
      .finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const messageFile = join(folder, 'staff-email.eml');
    await writeFile(messageFile, await staffEmail());
    const sink = await startSink(children, await freePort());
    console.log('installing Haraka from npm into a temporary folder…');
    const harakaPort = await freePort();
    const { process: haraka, version: harakaVersion } = await startHaraka(children, join(folder, 'haraka'), harakaPort, sink.port, RECIPIENT_DOMAIN);
    console.log(`starting hallmonitor serve with a ${ROSTER_SIZE.toLocaleString('en-GB')}-pupil roster…`);
    const hallmonitorPort = await freePort();
    const hallmonitor = await startHallmonitor(children, folder, hallmonitorPort, sink.port);
    // Each relay waits idle while the others are measured.
    const paths: RelayUnderTest[] = [
      { path: 'direct', port: sink.port },
      { path: 'Haraka', port: harakaPort, process: haraka },
      { path: 'Hallmonitor', port: hallmonitorPort, process: hallmonitor },
    ];
    const load = (connections: ConnectionMode, { sessions, messages }: { sessions: number; messages: number }): SourceLoad => ({
      connections,
      sessions,
      messages,
      messageFile,
      from: SENDER,
      to: RECIPIENT,
    });

    for (const relay of paths) for (const connections of MODES) await sendWithSmtpSource(children, relay.port, load(connections, WARM_UP));
    const measurements: Measurement[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const connections of MODES) {
        for (const relay of paths) measurements.push(await measure(children, relay, sink, load(connections, ONE_SESSION)));
        for (const relay of paths) measurements.push(await measure(children, relay, sink, load(connections, MANY)));
      }
    }
    await children.stop(haraka);
    await children.stop(hallmonitor, 30_000);

    console.log(
      `\nsmtp-source → [path] → smtp-sink, a 20 KB staff email, loopback, ${availableParallelism()} cores, Node ${process.versions.node}, Haraka ${harakaVersion}, ${new Date().toISOString()}`,
    );
    // The table groups the runs by connection mode; within a mode they stay in this order.
    console.log(
      table(
        paths.flatMap((relay) =>
          [1, MANY_SESSIONS].flatMap((sessions) => measurements.filter((measurement) => measurement.path === relay.path && measurement.sessions === sessions)),
        ),
      ),
    );
    console.log('');
    console.log(summary(measurements, MANY_SESSIONS));
    console.log('');
    console.log(targets(measurements, MANY_SESSIONS));
    const lost = measurements.filter((measurement) => measurement.delivered !== measurement.messages);
    for (const run of lost)
      console.log(`WARNING: ${run.path} with ${run.sessions} sessions, ${run.connections} connections: the sink received ${run.delivered} of ${run.messages} messages`);
  } finally {
    await children.stopAll();
    await rm(folder, { recursive: true, force: true });
  }
}

interface RelayUnderTest {
  readonly path: RelayPath;
  readonly port: number;
  /** The relay's process; none for the direct path. */
  readonly process?: ChildProcess;
}

/** One run through `relay`, counted at the sink, with the relay's CPU time per message. */
async function measure(children: Children, relay: RelayUnderTest, sink: Sink, load: SourceLoad): Promise<Measurement> {
  const before = sink.delivered();
  const pid = relay.process?.pid;
  const cpuBefore = pid === undefined ? undefined : { all: cpuSeconds(pid), main: mainThreadCpuSeconds(pid) };
  const run = await sendWithSmtpSource(children, relay.port, load);
  const perMessage = (seconds: number) => (seconds * 1000) / load.messages;
  const cpu =
    pid === undefined || cpuBefore === undefined
      ? {}
      : { cpuMillisPerMessage: perMessage(cpuSeconds(pid) - cpuBefore.all), mainThreadCpuMillisPerMessage: perMessage(mainThreadCpuSeconds(pid) - cpuBefore.main) };
  console.log(`${relay.path}, ${load.sessions} session(s), ${load.connections} connections: ${load.messages} messages in ${run.seconds.toFixed(2)} s`);
  // Every path answers 250 only after the next hop accepted, so the count is already final.
  return { path: relay.path, ...run, delivered: (await settledCount(sink)) - before, ...cpu };
}

/** smtp-sink's counter arrives on a pipe; give the last update a moment to be read. */
async function settledCount(sink: Sink): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  return sink.delivered();
}

await main();
