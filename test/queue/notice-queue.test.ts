import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionError } from '../../src/actions/errors.js';
import type { RenderedNotice } from '../../src/policy/notice-templates.js';
import { bullNoticeQueue, noticeJobId, startNoticeWorker, type NoticeQueue } from '../../src/queue/notice-queue.js';
import { keysUnder, removePrefix, SHARED_REDIS, startPrivateRedis, uniquePrefix } from './support/redis.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function notice(to = 'teacher@school.sch.uk'): RenderedNotice {
  return { to, subject: 'Hallmonitor: your message was not sent', text: 'Hello,\n', html: '<p>Hello,</p>' };
}

function sharedQueue(prefix: string, options: Parameters<typeof bullNoticeQueue>[1] = {}): NoticeQueue {
  const queue = bullNoticeQueue(SHARED_REDIS, { prefix, ...options });
  cleanups.push(async () => {
    await queue.close();
    await removePrefix(prefix);
  });
  return queue;
}

function worker(prefix: string, send: (notice: RenderedNotice) => Promise<void>): void {
  const running = startNoticeWorker(SHARED_REDIS, send, { prefix });
  cleanups.push(() => running.close());
}

async function inspect(prefix: string) {
  const queue = new Queue('sender-notices', { connection: { url: SHARED_REDIS.url }, prefix });
  cleanups.push(() => queue.close());
  return queue;
}

describe('bullNoticeQueue and startNoticeWorker on the real Redis', () => {
  it('hands each queued notice to the worker once, then removes the job', async () => {
    const prefix = uniquePrefix();
    const sent: RenderedNotice[] = [];
    const queue = sharedQueue(prefix);
    await queue.enqueue({ messageId: 'm1', notice: notice('one@school.sch.uk') });
    await queue.enqueue({ messageId: 'm2', notice: notice('two@school.sch.uk') });
    worker(prefix, async (n) => {
      sent.push(n);
    });
    await expect.poll(() => sent.length, { timeout: 10_000 }).toBe(2);
    expect(sent.map((n) => n.to).sort()).toEqual(['one@school.sch.uk', 'two@school.sch.uk']);
    expect(sent[0]).toEqual(notice(sent[0]!.to));
    const jobs = await inspect(prefix);
    await expect.poll(async () => (await jobs.getJobCounts('completed', 'waiting', 'active', 'failed')), { timeout: 5_000 }).toEqual({
      completed: 0,
      waiting: 0,
      active: 0,
      failed: 0,
    });
  });

  it('queues a notice once however often the same message is enqueued', async () => {
    const prefix = uniquePrefix();
    const queue = sharedQueue(prefix);
    await queue.enqueue({ messageId: 'same', notice: notice() });
    await queue.enqueue({ messageId: 'same', notice: notice() });
    const jobs = await inspect(prefix);
    expect(await jobs.getWaitingCount()).toBe(1);
    expect((await jobs.getJob(noticeJobId('same')))?.data).toEqual({ messageId: 'same', notice: notice() });
  });

  it('retries a notice whose sending failed, until it is sent', async () => {
    const prefix = uniquePrefix();
    let tries = 0;
    const queue = sharedQueue(prefix, { backoffMs: 10 });
    await queue.enqueue({ messageId: 'retry', notice: notice() });
    worker(prefix, async () => {
      tries += 1;
      if (tries < 3) throw new ActionError('notice-deferred', 'deferred');
    });
    await expect.poll(() => tries, { timeout: 10_000 }).toBe(3);
    const jobs = await inspect(prefix);
    await expect.poll(async () => jobs.getJob(noticeJobId('retry')), { timeout: 5_000 }).toBeUndefined();
  });

  it('does not retry a notice the next hop refused for good, and keeps it visible as failed', async () => {
    const prefix = uniquePrefix();
    let tries = 0;
    const queue = sharedQueue(prefix, { backoffMs: 10 });
    await queue.enqueue({ messageId: 'refused', notice: notice() });
    worker(prefix, async () => {
      tries += 1;
      throw new ActionError('notice-refused', 'refused');
    });
    const jobs = await inspect(prefix);
    await expect.poll(async () => jobs.getFailedCount(), { timeout: 10_000 }).toBe(1);
    expect(tries).toBe(1);
    expect((await jobs.getJob(noticeJobId('refused')))?.failedReason).toBe('notice-refused');
  });

  it('keeps job ids free of the characters BullMQ forbids', () => {
    expect(noticeJobId('a:b:c')).toBe('sender-notice.a_b_c');
  });
});

describe('bullNoticeQueue when Redis is unavailable', () => {
  it('rejects with notice-queue-unavailable when Redis is down', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const queue = bullNoticeQueue({ url: redis.url }, { prefix: uniquePrefix() });
    cleanups.push(() => queue.close());
    await queue.enqueue({ messageId: 'before', notice: notice() });
    await redis.stop();
    const started = Date.now();
    const error = await queue.enqueue({ messageId: 'after', notice: notice() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    expect((error as ActionError).code).toBe('notice-queue-unavailable');
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('gives up within about two seconds when Redis stops answering', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const queue = bullNoticeQueue({ url: redis.url }, { prefix: uniquePrefix() });
    cleanups.push(() => queue.close());
    await queue.enqueue({ messageId: 'before', notice: notice() });
    redis.pause();
    const started = Date.now();
    const error = await queue.enqueue({ messageId: 'after', notice: notice() }).catch((e: unknown) => e);
    const waited = Date.now() - started;
    redis.resume();
    expect((error as ActionError).code).toBe('notice-queue-unavailable');
    expect(waited).toBeGreaterThanOrEqual(1_900);
    expect(waited).toBeLessThan(3_000);
  });
});

describe('test isolation', () => {
  it('leaves no keys behind in the shared Redis', async () => {
    const prefix = uniquePrefix();
    const queue = bullNoticeQueue(SHARED_REDIS, { prefix });
    await queue.enqueue({ messageId: 'x', notice: notice() });
    await queue.close();
    expect((await keysUnder(prefix)).length).toBeGreaterThan(0);
    await removePrefix(prefix);
    expect(await keysUnder(prefix)).toEqual([]);
  });
});
