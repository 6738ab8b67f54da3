import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { JobRefused, JobSeal } from '../../src/queue/job-seal.js';
import type { OutgoingMail } from '../../src/queue/outgoing-mail.js';
import { QUEUE_NAMES } from '../../src/queue/queue-names.js';
import { startQueueWorkers, type JobRefusal } from '../../src/queue/queue-workers.js';
import { jobData, keysUnder, SHARED_REDIS, TEST_STORE_KEY } from './support/redis.js';
import { inspect, sharedMailQueue, type Cleanups } from './support/workers.js';
import { Redis } from 'ioredis';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PLACE = { queue: QUEUE_NAMES.mail, name: 'alert', id: 'alert.m1.dpo' };
const DISTINCTIVE = 'Periwinkle Ashgrove-Tumblewood';

function alert(id = 'alert.m1.dpo'): OutgoingMail {
  return { id, kind: 'alert', to: ['dpo@stmarys-example.sch.uk'], subject: `About ${DISTINCTIVE}`, text: `text ${DISTINCTIVE}`, html: `<p>${DISTINCTIVE}</p>` };
}

describe('JobSeal', () => {
  const seal = new JobSeal(TEST_STORE_KEY);

  it('opens what it sealed for the same place', () => {
    expect(seal.open(PLACE, seal.seal(PLACE, alert()))).toEqual(alert());
  });

  it('refuses data that was never sealed, or sealed with another key', () => {
    expect(() => seal.open(PLACE, alert())).toThrow(JobRefused);
    const other = new JobSeal(randomBytes(32)).seal(PLACE, alert());
    expect(() => seal.open(PLACE, other)).toThrow(expect.objectContaining({ code: 'job-forged' }));
  });

  it('refuses sealed data moved to another job, name or queue', () => {
    const sealed = seal.seal(PLACE, alert());
    for (const place of [
      { ...PLACE, id: 'alert.m2.dpo' },
      { ...PLACE, name: 'digest' },
      { ...PLACE, queue: QUEUE_NAMES.releases },
    ]) {
      expect(() => seal.open(place, sealed)).toThrow(expect.objectContaining({ code: 'job-forged' }));
    }
  });

  it('refuses an altered ciphertext even with its MAC recomputed by someone without the key', () => {
    const sealed = seal.seal(PLACE, alert());
    const box = Buffer.from(sealed.box, 'base64url');
    box[box.length - 20]! ^= 1;
    expect(() => seal.open(PLACE, { ...sealed, box: box.toString('base64url') })).toThrow(expect.objectContaining({ code: 'job-forged' }));
  });

  it('refuses a job sealed longer ago than a retry could take: a replay', () => {
    const sealed = seal.seal(PLACE, alert(), new Date('2026-01-01T00:00:00Z'));
    expect(() => seal.open(PLACE, sealed, { now: new Date('2026-02-01T00:00:00Z') })).toThrow(expect.objectContaining({ code: 'job-stale' }));
  });

  it('keeps the content out of what it stores: no distinctive string or address in clear', () => {
    const stored = JSON.stringify(seal.seal(PLACE, alert()));
    expect(stored).not.toContain('Periwinkle');
    expect(stored).not.toContain('stmarys-example');
  });
});

describe('a forged job written straight into Redis', () => {
  it('is refused unopened, reported without content, and never sent; a sealed one beside it is', async () => {
    const { queue, prefix } = sharedMailQueue(cleanups);
    const sent: string[] = [];
    const refusals: JobRefusal[] = [];
    const running = await startQueueWorkers(SHARED_REDIS, { send: async (mail) => void sent.push(mail.id) }, { prefix, onRefused: (refusal) => refusals.push(refusal) });
    cleanups.push(() => running.close());
    // An attacker with Redis access: BullMQ's own client, no key. Plain data as the old gateway queued it, and a
    // copy of a genuine sealed job's data under another id.
    const attacker = new Queue(QUEUE_NAMES.mail, { connection: { url: SHARED_REDIS.url }, prefix });
    cleanups.push(() => attacker.close());
    await attacker.add('alert', alert('alert.forged.dpo'), { jobId: 'alert.forged.dpo' });
    await queue.enqueue(alert('alert.genuine.dpo'));
    const genuine = await inspect(cleanups, QUEUE_NAMES.mail, prefix).getJob('alert.genuine.dpo');
    await attacker.add('alert', genuine!.data, { jobId: 'alert.copied.dpo' });
    await expect.poll(() => refusals.length, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => sent, { timeout: 10_000 }).toEqual(['alert.genuine.dpo']);
    expect(refusals.map((refusal) => [refusal.jobId, refusal.reason]).sort()).toEqual([
      ['alert.copied.dpo', 'job-forged'],
      ['alert.forged.dpo', 'job-unsigned'],
    ]);
    expect(JSON.stringify(refusals)).not.toContain('Periwinkle');
    const jobs = inspect(cleanups, QUEUE_NAMES.mail, prefix);
    expect(await jobs.getFailedCount()).toBe(2);
    expect((await jobs.getJob('alert.forged.dpo'))?.attemptsMade).toBe(1);
  });

  it('leaves no message text or address in clear anywhere in Redis once a mail is queued', async () => {
    const { queue, prefix } = sharedMailQueue(cleanups);
    await queue.enqueue(alert());
    await queue.enqueueRelease({ messageId: 'held-1' });
    const redis = new Redis(SHARED_REDIS.url);
    cleanups.push(async () => void redis.disconnect());
    const dump: string[] = [];
    for (const key of await keysUnder(prefix)) {
      const type = await redis.type(key);
      if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') dump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'string') dump.push((await redis.get(key)) ?? '');
    }
    const everything = dump.join('\n');
    expect(everything).toContain('alert.m1.dpo');
    expect(everything).not.toContain('Periwinkle');
    expect(everything).not.toContain('dpo@stmarys-example.sch.uk');
    expect(jobData(await inspect(cleanups, QUEUE_NAMES.mail, prefix).getJob('alert.m1.dpo'))).toEqual(alert());
  });
});
