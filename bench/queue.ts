/**
 * `npm run bench:queue`: sender notices per second end to end (enqueued on Redis → sent by the worker →
 * accepted by an SMTP sink), and alert latency (enqueue → accepted) p50/p99, on an idle queue and behind
 * a burst of notices. Producer, worker and sink share this one process, as in `serve`; Redis is
 * REDIS_URL (default the local one), under a prefix of its own that is removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { smtpNextHop } from '../src/delivery/next-hop.js';
import { queueConnection } from '../src/queue/job-seal.js';
import { bullMailQueue } from '../src/queue/mail-queue.js';
import { mailSender } from '../src/queue/mail-sender.js';
import { mailJobId, type MailKind, type OutgoingMail } from '../src/queue/outgoing-mail.js';
import { startQueueWorkers } from '../src/queue/queue-workers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NOTICES = Number(process.env.NOTICES ?? 2_000);
const ALERTS = Number(process.env.ALERTS ?? 200);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);

/** When the sink accepted each Message-ID's mail, in this process's clock. */
const accepted = new Map<string, number>();

async function main(): Promise<void> {
  const prefix = `hm-bench-${randomBytes(4).toString('hex')}`;
  const sink = await startSink();
  const nextHop = smtpNextHop(sink.url, { maxConnections: CONCURRENCY });
  const spool = await mkdtemp(join(tmpdir(), 'hm-bench-queue-'));
  // A key of the run's own: the bench measures the seal's cost as a deployment pays it.
  const queues = queueConnection(REDIS_URL, randomBytes(32));
  const queue = bullMailQueue(queues, { prefix });
  const workers = await startQueueWorkers(queues, { send: mailSender(nextHop, 'postmaster@school.example.sch.uk') }, { prefix, concurrency: CONCURRENCY });
  try {
    console.log(`outgoing-mail queue on ${REDIS_URL}, worker concurrency ${CONCURRENCY}, next hop an in-process smtp-server`);
    await throughput(queue, 200, 'warm-up');
    const rate = await throughput(queue, NOTICES, 'notices');
    console.log(`sender notices: ${NOTICES} in ${rate.seconds.toFixed(2)} s = ${rate.perSecond.toFixed(0)}/s end to end (enqueueing alone: ${rate.enqueuePerSecond.toFixed(0)}/s)`);
    const idle = await alertLatency(queue, ALERTS, 0);
    console.log(`alert latency, idle queue (${ALERTS} alerts, one every 10 ms): p50 ${idle.p50.toFixed(1)} ms, p99 ${idle.p99.toFixed(1)} ms`);
    const busy = await alertLatency(queue, ALERTS, NOTICES);
    console.log(`alert latency behind a burst of ${NOTICES} notices: p50 ${busy.p50.toFixed(1)} ms, p99 ${busy.p99.toFixed(1)} ms`);
  } finally {
    await workers.close();
    await queue.close();
    await nextHop.close();
    await sink.close();
    await rm(spool, { recursive: true, force: true });
    await removePrefix(prefix);
  }
}

function mail(kind: MailKind, key: string): OutgoingMail {
  return {
    id: mailJobId(kind, key),
    kind,
    to: ['teacher@school.example.sch.uk'],
    subject: 'Hallmonitor: your message was not sent',
    text: 'Hello,\n\nA notice of typical length.\n'.repeat(20),
    html: '<p>Hello,</p>'.repeat(20),
  };
}

function messageIdOf(job: string): string {
  return `<${job}@school.example.sch.uk>`;
}

async function throughput(queue: ReturnType<typeof bullMailQueue>, count: number, label: string) {
  const run = `${label}-${randomBytes(3).toString('hex')}`;
  const mails = Array.from({ length: count }, (_, index) => mail('sender-notice', `${run}-${index}`));
  const started = performance.now();
  // One enqueue per message, as the gateway does, with as many in flight as SMTP sessions would have.
  await inBatches(mails, 64, (m) => queue.enqueue(m));
  const enqueued = performance.now();
  await until(() => mails.every((m) => accepted.has(messageIdOf(m.id))));
  const seconds = (performance.now() - started) / 1000;
  return { seconds, perSecond: count / seconds, enqueuePerSecond: count / ((enqueued - started) / 1000) };
}

async function alertLatency(queue: ReturnType<typeof bullMailQueue>, count: number, burst: number) {
  const run = randomBytes(3).toString('hex');
  const burstMails = Array.from({ length: burst }, (_, index) => mail('sender-notice', `burst-${run}-${index}`));
  await inBatches(burstMails, 64, (m) => queue.enqueue(m));
  const enqueuedAt = new Map<string, number>();
  for (let index = 0; index < count; index += 1) {
    const alert = { ...mail('alert', `${run}-${index}`), kind: 'alert' as const };
    enqueuedAt.set(messageIdOf(alert.id), performance.now());
    await queue.enqueue(alert);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await until(() => [...enqueuedAt.keys(), ...burstMails.map((m) => messageIdOf(m.id))].every((id) => accepted.has(id)));
  const latencies = [...enqueuedAt].map(([id, at]) => accepted.get(id)! - at).sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

async function inBatches<T>(items: readonly T[], size: number, each: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) await Promise.all(items.slice(start, start + size).map(each));
}

async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('the sink did not receive every mail within 5 minutes');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

async function startSink(): Promise<{ url: string; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const id = /^Message-ID: (<[^>]+>)/im.exec(Buffer.concat(chunks).toString('latin1'))?.[1];
        if (id) accepted.set(id, performance.now());
        callback(null, 'Ok');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function removePrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
