import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/delivery/delivery-error.js';
import { bullMailQueue, type ReleaseRequest } from '../../src/queue/mail-queue.js';
import type { OutgoingMail } from '../../src/queue/outgoing-mail.js';
import { senderNoticeMail } from '../../src/queue/notices.js';
import { QUEUE_NAMES } from '../../src/queue/queue-names.js';
import { startMailWorker, startQueueWorkers } from '../../src/queue/queue-workers.js';
import { jobData, keysUnder, queuesAt, removePrefix, SHARED_REDIS, startPrivateRedis, uniquePrefix } from './support/redis.js';
import { inspect, sharedMailQueue, type Cleanups } from './support/workers.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function mail(id: string, to = 'teacher@school.sch.uk'): OutgoingMail {
  return { id, kind: 'sender-notice', to: [to], subject: 'Hallmonitor: your message was not sent', text: 'Hello,\n', html: '<p>Hello,</p>' };
}

async function workers(prefix: string, send: (mail: OutgoingMail) => Promise<void>, release?: (request: ReleaseRequest) => Promise<void>) {
  const running = await startQueueWorkers(SHARED_REDIS, { send, ...(release ? { release } : {}) }, { prefix });
  cleanups.push(() => running.close());
}

describe('bullMailQueue and the workers on the real Redis', () => {
  it('hands each queued mail to the sender once, and keeps its id a while so it is not queued again', async () => {
    const { queue, prefix } = sharedMailQueue(cleanups);
    const sent: OutgoingMail[] = [];
    await queue.enqueue([mail('sender-notice.m1', 'one@school.sch.uk'), mail('alert.m1.dpo', 'dpo@school.sch.uk')]);
    await workers(prefix, async (m) => void sent.push(m));
    await expect.poll(() => sent.length, { timeout: 10_000 }).toBe(2);
    expect(sent.map((m) => m.to[0]).sort()).toEqual(['dpo@school.sch.uk', 'one@school.sch.uk']);
    const jobs = inspect(cleanups, QUEUE_NAMES.mail, prefix);
    await expect.poll(() => jobs.getJobCounts('completed', 'waiting', 'active', 'failed'), { timeout: 5_000 }).toEqual({ completed: 2, waiting: 0, active: 0, failed: 0 });
    await queue.enqueue(mail('sender-notice.m1', 'one@school.sch.uk'));
    expect(await jobs.getWaitingCount()).toBe(0);
    expect(sent).toHaveLength(2);
  });

  it('queues a mail once however often it is enqueued, with retries and exponential backoff', async () => {
    const { queue, prefix } = sharedMailQueue(cleanups);
    await queue.enqueue(mail('sender-notice.same'));
    await queue.enqueue([mail('sender-notice.same'), mail('sender-notice.same')]);
    const jobs = inspect(cleanups, QUEUE_NAMES.mail, prefix);
    expect(await jobs.getWaitingCount()).toBe(1);
    const job = await jobs.getJob('sender-notice.same');
    expect(job?.name).toBe('sender-notice');
    expect(jobData(job)).toEqual(mail('sender-notice.same'));
    expect(job?.opts.attempts).toBe(8);
    expect(job?.opts.backoff).toEqual({ type: 'exponential', delay: 30_000 });
  });

  it('sends an alert before the notices already waiting', async () => {
    const { queue, prefix } = sharedMailQueue(cleanups);
    await queue.enqueue([mail('sender-notice.n1'), mail('sender-notice.n2'), mail('sender-notice.n3')]);
    await queue.enqueue({ ...mail('alert.m9.dsl'), kind: 'alert' });
    await queue.enqueue(mail('sender-notice.n4'));
    const sent: string[] = [];
    const running = await startQueueWorkers(SHARED_REDIS, { send: async (m) => void sent.push(m.id) }, { prefix, concurrency: 1 });
    cleanups.push(() => running.close());
    await expect.poll(() => sent.length, { timeout: 10_000 }).toBe(5);
    expect(sent).toEqual(['alert.m9.dsl', 'sender-notice.n1', 'sender-notice.n2', 'sender-notice.n3', 'sender-notice.n4']);
  });

  it('retries a mail whose sending failed, until it is sent', async () => {
    const { queue, prefix } = sharedMailQueue(cleanups, { backoffMs: 10 });
    let tries = 0;
    await queue.enqueue(mail('sender-notice.retry'));
    await workers(prefix, async () => {
      tries += 1;
      if (tries < 3) throw new DeliveryError('notice-deferred', 'deferred');
    });
    await expect.poll(() => tries, { timeout: 10_000 }).toBe(3);
    const jobs = inspect(cleanups, QUEUE_NAMES.mail, prefix);
    await expect.poll(async () => (await jobs.getJob('sender-notice.retry'))?.finishedOn !== undefined, { timeout: 5_000 }).toBe(true);
    expect(await queue.failedCount()).toBe(0);
  });

  it('does not retry a mail the next hop refused for good, keeps it visible as failed and counts it', async () => {
    const { queue, prefix } = sharedMailQueue(cleanups, { backoffMs: 10 });
    let tries = 0;
    await queue.enqueue(mail('sender-notice.refused'));
    await workers(prefix, async () => {
      tries += 1;
      throw new DeliveryError('notice-refused', 'refused');
    });
    await expect.poll(() => queue.failedCount(), { timeout: 10_000 }).toBe(1);
    expect(tries).toBe(1);
    const jobs = inspect(cleanups, QUEUE_NAMES.mail, prefix);
    expect((await jobs.getJob('sender-notice.refused'))?.failedReason).toBe('notice-refused');
  });

  it('queues a release once, as release.<messageId>, and tries a failed release again when asked again', async () => {
    const { queue, prefix } = sharedMailQueue(cleanups, { backoffMs: 10, attempts: 1 });
    const request: ReleaseRequest = { messageId: 'q:1' };
    await queue.enqueueRelease(request);
    await queue.enqueueRelease(request);
    const jobs = inspect(cleanups, QUEUE_NAMES.releases, prefix);
    expect(await jobs.getWaitingCount()).toBe(1);
    expect(SHARED_REDIS.seal.open({ queue: QUEUE_NAMES.releases, name: 'release', id: 'release.q_1' }, (await jobs.getJob('release.q_1'))?.data)).toEqual(request);
    const released: ReleaseRequest[] = [];
    let fail = true;
    await workers(
      prefix,
      async () => undefined,
      async (r) => {
        if (fail) throw new Error('store away');
        released.push(r);
      },
    );
    await expect.poll(() => queue.failedCount(), { timeout: 10_000 }).toBe(1);
    fail = false;
    await queue.enqueueRelease(request);
    await expect.poll(() => released, { timeout: 10_000 }).toEqual([request]);
    expect(await queue.failedCount()).toBe(0);
  });
});

describe('a sender notice on the outgoing-mail queue, as actOnVerdict and serve send it', () => {
  it('is queued as a sender-notice mail with a stable job id, and sent by the mail worker', async () => {
    const prefix = uniquePrefix();
    const queue = bullMailQueue(SHARED_REDIS, { prefix });
    cleanups.push(async () => {
      await queue.close();
      await removePrefix(prefix);
    });
    const notice = { to: 'teacher@school.sch.uk', subject: 'Hallmonitor: not sent', text: 'Hello,\n', html: '<p>Hello,</p>' };
    await queue.enqueue(senderNoticeMail('a:b', notice));
    const sent: OutgoingMail[] = [];
    const worker = startMailWorker(SHARED_REDIS, async (m) => void sent.push(m), { prefix });
    cleanups.push(() => worker.close());
    await expect
      .poll(() => sent, { timeout: 10_000 })
      .toEqual([{ id: 'sender-notice.a_b', kind: 'sender-notice', to: [notice.to], subject: notice.subject, text: notice.text, html: notice.html }]);
  });
});

describe('bullMailQueue when Redis is unavailable', () => {
  it('rejects with notice-queue-unavailable at once when Redis is down, and queues again once it is back', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const queue = bullMailQueue(queuesAt(redis.url), { prefix: uniquePrefix() });
    cleanups.push(() => queue.close());
    await queue.enqueue(mail('sender-notice.before'));
    await redis.stop();
    const started = Date.now();
    const error = await queue.enqueue(mail('sender-notice.after')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).code).toBe('notice-queue-unavailable');
    expect((error as DeliveryError).disposition).toBe('temporary');
    expect(Date.now() - started).toBeLessThan(2_500);
    const back = await startPrivateRedis({ port: redis.port });
    cleanups.push(() => back.stop());
    await expect
      .poll(
        async () =>
          queue.enqueue(mail('sender-notice.after')).then(
            () => 'queued',
            () => 'refused',
          ),
        { timeout: 10_000, interval: 200 },
      )
      .toBe('queued');
    expect(await queue.failedCount()).toBe(0);
  });

  it('keeps its workers through the outage: once Redis is back, what is queued is sent', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const prefix = uniquePrefix();
    const queue = bullMailQueue(queuesAt(redis.url), { prefix });
    cleanups.push(() => queue.close());
    const sent: string[] = [];
    const running = await startQueueWorkers(queuesAt(redis.url), { send: async (m) => void sent.push(m.id) }, { prefix });
    cleanups.push(() => running.close());
    await queue.enqueue(mail('sender-notice.before'));
    await expect.poll(() => sent, { timeout: 10_000 }).toEqual(['sender-notice.before']);
    await redis.stop();
    await expect(queue.enqueue(mail('sender-notice.during'))).rejects.toBeInstanceOf(DeliveryError);
    const back = await startPrivateRedis({ port: redis.port });
    cleanups.push(() => back.stop());
    await expect
      .poll(
        async () =>
          queue.enqueue(mail('sender-notice.after')).then(
            () => 'queued',
            () => 'refused',
          ),
        { timeout: 10_000, interval: 200 },
      )
      .toBe('queued');
    await expect.poll(() => sent, { timeout: 15_000 }).toEqual(['sender-notice.before', 'sender-notice.after']);
  });

  it('gives up within about two seconds when Redis stops answering', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const queue = bullMailQueue(queuesAt(redis.url), { prefix: uniquePrefix() });
    cleanups.push(() => queue.close());
    await queue.enqueue(mail('sender-notice.before'));
    redis.pause();
    const started = Date.now();
    const error = await queue.enqueueRelease({ messageId: 'm' }).catch((e: unknown) => e);
    const waited = Date.now() - started;
    redis.resume();
    expect((error as DeliveryError).code).toBe('notice-queue-unavailable');
    expect(waited).toBeGreaterThanOrEqual(1_900);
    expect(waited).toBeLessThan(3_000);
  });
});

describe('test isolation', () => {
  it('leaves no keys behind in the shared Redis', async () => {
    const prefix = uniquePrefix();
    const queue = bullMailQueue(SHARED_REDIS, { prefix });
    await queue.enqueue(mail('sender-notice.x'));
    await queue.close();
    expect((await keysUnder(prefix)).length).toBeGreaterThan(0);
    await removePrefix(prefix);
    expect(await keysUnder(prefix)).toEqual([]);
  });
});
