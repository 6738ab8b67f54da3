/**
 * `npm run bench:relay-cpu`: what relaying one message costs `hallmonitor serve` in CPU time, the
 * figure other load on a shared machine disturbs least (unlike bench:relay's rates). smtp-source
 * sends bench:relay's 20 KB staff email through serve (100,000-pupil roster, every detector) to
 * smtp-sink, with a new connection per message and with connections reused, 16 sessions; the CPU
 * time serve's process group spent (every thread, its private redis-server too) is read from /proc
 * before and after each run and divided by the messages, and split by thread: the main thread (the
 * event loop: SMTP, spool, queue, next hop) and the rest (scan workers, V8's and libuv's helpers).
 * Arguments: messages per run (default 2,000), runs per mode (default 3). It asserts nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/gateway/free-port.js';
import { Children } from './relay/children.js';
import { RECIPIENT, SENDER, startHallmonitor } from './relay/hallmonitor.js';
import { sendWithSmtpSource, startSink, type ConnectionMode } from './relay/postfix-tools.js';
import { cpuSeconds, mainThreadCpuSeconds } from './relay/process-cpu.js';
import { staffEmail } from './staff-email.js';

const SESSIONS = 16;
const MODES: readonly ConnectionMode[] = ['new', 'reused'];
/** bench:relay's warm-up: what a gateway meets after a restart. */
const WARM_UP = 500;

const messages = Number(process.argv[2] ?? 2_000);
const runs = Number(process.argv[3] ?? 3);

async function main(): Promise<void> {
  const children = new Children();
  const folder = await mkdtemp(join(tmpdir(), 'hm-bench-relay-cpu-'));
  try {
    const messageFile = join(folder, 'staff-email.eml');
    await writeFile(messageFile, await staffEmail());
    const sink = await startSink(children, await freePort());
    const port = await freePort();
    const serve = await startHallmonitor(children, folder, port, sink.port);
    const pid = serve.pid;
    if (pid === undefined) throw new Error('serve did not start');
    const send = (connections: ConnectionMode, count: number) =>
      sendWithSmtpSource(children, port, { connections, sessions: SESSIONS, messages: count, messageFile, from: SENDER, to: RECIPIENT });
    for (const connections of MODES) await send(connections, WARM_UP);
    console.log(
      `serve's CPU ms per message, ${SESSIONS} sessions, ${messages} messages a run, ${availableParallelism()} cores, Node ${process.versions.node}, load ${loadavg()[0]?.toFixed(1)}, ${new Date().toISOString()}`,
    );
    console.log('connections  all threads  main thread  other threads');
    for (let run = 0; run < runs; run += 1) {
      for (const connections of MODES) {
        const before = { all: cpuSeconds(pid), main: mainThreadCpuSeconds(pid), delivered: sink.delivered() };
        await send(connections, messages);
        const perMessage = (seconds: number) => ((seconds * 1000) / messages).toFixed(2).padStart(11);
        const all = cpuSeconds(pid) - before.all;
        const main = mainThreadCpuSeconds(pid) - before.main;
        console.log(`${connections.padEnd(11)} ${perMessage(all)}  ${perMessage(main)}  ${perMessage(all - main)}`);
      }
    }
    await children.stop(serve, 30_000);
  } finally {
    await children.stopAll();
    await rm(folder, { recursive: true, force: true });
  }
}

await main();
