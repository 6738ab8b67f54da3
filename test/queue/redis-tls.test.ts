import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { smtpNextHop } from '../../src/delivery/next-hop.js';
import { ensureRedis, RedisCertificateError } from '../../src/gateway/ensure-redis.js';
import { checkRedisForQueues } from '../../src/queue/check-redis.js';
import { bullMailQueue } from '../../src/queue/mail-queue.js';
import { mailSender } from '../../src/queue/mail-sender.js';
import type { OutgoingMail } from '../../src/queue/outgoing-mail.js';
import { startQueueWorkers } from '../../src/queue/queue-workers.js';
import { redisAddress, RedisTlsConfigError } from '../../src/queue/redis-connections.js';
import { spoolDirectory } from '../actions/support/spool.js';
import { startHoldingSink } from './support/holding-sink.js';
import { queuesAt, uniquePrefix } from './support/redis.js';
import { makeTestCa, startTlsRedis, type TestCa, type TlsRedis } from './support/tls-redis.js';
import { POSTMASTER, type Cleanups } from './support/workers.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let directory: string;
let ca: TestCa;
let otherCa: TestCa;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'hm-redis-tls-'));
  ca = await makeTestCa(directory, 'school');
  otherCa = await makeTestCa(directory, 'stranger');
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const MAIL: OutgoingMail = { id: 'alert.tls.dpo', kind: 'alert', to: ['dpo@stmarys-example.sch.uk'], subject: 'Hallmonitor alert', text: 'An alert.\n', html: '<p>An alert.</p>' };

async function tlsRedis(signedBy: TestCa, requireClientCertificates = false): Promise<TlsRedis> {
  const redis = await startTlsRedis(await signedBy.issue('redis', 'server'), ca.caFile, requireClientCertificates);
  cleanups.push(() => redis.stop());
  return redis;
}

/** A real job through the gateway's own producer and workers on `address`, sent to a real SMTP server. */
async function sendThrough(address: Awaited<ReturnType<typeof redisAddress>>): Promise<string[]> {
  const sink = await startHoldingSink();
  cleanups.push(() => sink.close());
  const prefix = uniquePrefix();
  const queue = bullMailQueue(queuesAt(address), { prefix });
  cleanups.push(() => queue.close());
  const send = mailSender(smtpNextHop(sink.url), POSTMASTER);
  const running = await startQueueWorkers(queuesAt(address), { send }, { prefix });
  cleanups.push(() => running.close());
  await queue.enqueue(MAIL);
  await expect.poll(() => sink.accepted.length, { timeout: 15_000 }).toBe(1);
  return sink.accepted.flatMap((mail) => mail.to);
}

describe('Redis over TLS with a CA of the school’s own (redisTls)', () => {
  it('checks, probes and runs a real queue job through a TLS-only redis-server whose certificate the configured CA signed', async () => {
    const redis = await tlsRedis(ca);
    const address = await redisAddress(redis.tlsUrl, { ca: ca.caFile });
    expect(await checkRedisForQueues(address)).toMatchObject({ ok: true });
    const endpoint = await ensureRedis(address, directory);
    expect(endpoint).toMatchObject({ private: false, url: redis.tlsUrl });
    expect(await sendThrough(endpoint)).toEqual(MAIL.to);
  });

  it('with a client certificate, for a redis-server that asks for one (tls-auth-clients yes)', async () => {
    const redis = await tlsRedis(ca, true);
    const client = await ca.issue('gateway', 'client');
    expect((await checkRedisForQueues(await redisAddress(redis.tlsUrl, { ca: ca.caFile }), { timeoutMs: 2_000 })).ok).toBe(false);
    const address = await redisAddress(redis.tlsUrl, { ca: ca.caFile, cert: client.certFile, key: client.keyFile });
    expect(await checkRedisForQueues(address)).toMatchObject({ ok: true });
    expect(await sendThrough(address)).toEqual(MAIL.to);
  });

  it('refuses a server certificate another CA signed: the check says so, serve stops rather than starting a private Redis', async () => {
    const redis = await tlsRedis(otherCa);
    const address = await redisAddress(redis.tlsUrl, { ca: ca.caFile });
    const check = await checkRedisForQueues(address, { timeoutMs: 2_000 });
    expect(check.ok).toBe(false);
    const problems = check.ok ? [] : check.problems;
    expect(problems.join(' ')).toMatch(/certificate that does not verify/);
    expect(problems.join(' ')).not.toContain(redis.password);
    await expect(ensureRedis(address, directory)).rejects.toBeInstanceOf(RedisCertificateError);
  });

  it('without redisTls.ca, a private CA’s Redis is refused: Node’s roots do not vouch for it', async () => {
    const redis = await tlsRedis(ca);
    const check = await checkRedisForQueues(await redisAddress(redis.tlsUrl), { timeoutMs: 2_000 });
    expect(check.ok ? [] : check.problems.join(' ')).toMatch(/certificate that does not verify/);
  });

  it('refuses redisTls with a plain redis:// URL', async () => {
    await expect(redisAddress('redis://127.0.0.1:6379', { ca: ca.caFile })).rejects.toBeInstanceOf(RedisTlsConfigError);
  });
});
