import { Queue } from 'bullmq';
import { smtpNextHop } from '../../../src/delivery/next-hop.js';
import { bullMailQueue, type MailQueue, type MailQueueOptions } from '../../../src/queue/mail-queue.js';
import { mailSender } from '../../../src/queue/mail-sender.js';
import { startQueueWorkers, type QueueHandlers, type QueueWorkerOptions } from '../../../src/queue/queue-workers.js';
import { spoolDirectory } from '../../actions/support/spool.js';
import { removePrefix, SHARED_REDIS, uniquePrefix } from './redis.js';

export const POSTMASTER = 'postmaster@stmarys-example.sch.uk';

/** Cleanups run after each test, newest first. */
export type Cleanups = (() => Promise<void>)[];

/** A producer on the shared Redis under a fresh prefix, removed with its keys after the test. */
export function sharedMailQueue(cleanups: Cleanups, options: MailQueueOptions = {}): { queue: MailQueue; prefix: string } {
  const prefix = options.prefix ?? uniquePrefix();
  const queue = bullMailQueue(SHARED_REDIS, { ...options, prefix });
  cleanups.push(async () => {
    await queue.close();
    await removePrefix(prefix);
  });
  return { queue, prefix };
}

/** Workers sending through a real SMTP next hop at `url`. */
export async function workersTo(cleanups: Cleanups, url: string, prefix: string, handlers: Partial<QueueHandlers> = {}, options: QueueWorkerOptions = {}) {
  const nextHop = smtpNextHop(url);
  const send = mailSender(nextHop, POSTMASTER);
  const running = await startQueueWorkers(SHARED_REDIS, { send, ...handlers }, { prefix, ...options });
  cleanups.push(async () => {
    await running.close();
    await nextHop.close();
  });
  return running;
}

/** A BullMQ queue to look into, as an operator would. */
export function inspect(cleanups: Cleanups, name: string, prefix: string): Queue {
  const queue = new Queue(name, { connection: { url: SHARED_REDIS.url }, prefix });
  cleanups.push(() => queue.close());
  return queue;
}
