import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Children, waitForPort } from './children.js';

const SMTP_SINK = '/usr/sbin/smtp-sink';
const SMTP_SOURCE = '/usr/sbin/smtp-source';

/** Postfix's smtp-sink as the final next hop, with a count of the messages whose DATA it accepted. */
export interface Sink {
  readonly port: number;
  readonly process: ChildProcess;
  delivered(): number;
}

export async function startSink(children: Children, port: number): Promise<Sink> {
  // smtp-sink refuses to run as root without a user to drop privileges to (smtp-sink(1), -u).
  const privileges = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  const child = children.start(SMTP_SINK, [...privileges, '-c', `127.0.0.1:${port}`, '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let delivered = 0;
  let tail = '';
  // With -c it rewrites "sess=N quit=N mesg=N" after each DATA and QUIT; mesg counts DATA completions.
  child.stdout?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('latin1')).slice(-256);
    const counts = [...tail.matchAll(/mesg=(\d+)/g)];
    const last = counts[counts.length - 1];
    if (last) delivered = Number(last[1]);
  });
  await waitForPort(port, child, 5_000, 'smtp-sink');
  return { port, process: child, delivered: () => delivered };
}

/** Whether smtp-source opens a new connection for every message or keeps each session's one. */
export type ConnectionMode = 'new' | 'reused';

export interface SourceRun {
  readonly connections: ConnectionMode;
  readonly sessions: number;
  readonly messages: number;
  readonly seconds: number;
}

export interface SourceLoad {
  readonly connections: ConnectionMode;
  readonly sessions: number;
  readonly messages: number;
  /** The message to send, header and body, LF line ends (smtp-source -F adds CR to each). */
  readonly messageFile: string;
  readonly from: string;
  readonly to: string;
}

/**
 * smtp-source sending the same message `messages` times over `sessions` parallel sessions. With
 * `reused` connections (-d) each session keeps its connection, as a sending service's smart-host
 * connection may; with `new` ones it connects, sends one message and quits, as Exchange Online
 * often does. Without -A it stops at the first reply that is not 2xx, so a refusing gateway fails
 * the run.
 */
export async function sendWithSmtpSource(children: Children, port: number, load: SourceLoad): Promise<SourceRun> {
  const reuse = load.connections === 'reused' ? ['-d'] : [];
  const started = performance.now();
  await children.run(SMTP_SOURCE, [
    ...reuse,
    '-s',
    String(load.sessions),
    '-m',
    String(load.messages),
    '-F',
    load.messageFile,
    '-M',
    'bench.example.org',
    '-f',
    load.from,
    '-t',
    load.to,
    `127.0.0.1:${port}`,
  ]);
  return { connections: load.connections, sessions: load.sessions, messages: load.messages, seconds: (performance.now() - started) / 1000 };
}
