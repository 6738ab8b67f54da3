import { Queue } from 'bullmq';
import { QUEUE_NAMES } from '../../src/queue/queue-names.js';
import { openStore } from '../../src/store/open-store.js';
import type { Delivery } from './accounting.js';
import type { Deployment } from './deployment.js';
import { headerFacts, type Accepted } from './flapping-next-hop.js';

/** The queues of work each message leaves behind (notices, alerts, releases); the repeatable sweeps never empty. */
const SETTLING_QUEUES = [QUEUE_NAMES.mail, QUEUE_NAMES.releases] as const;

export interface QueueState {
  readonly settled: boolean;
  /** Jobs still waiting, active or delayed (retrying), and jobs that failed for good. */
  readonly pending: number;
  readonly failed: number;
}

/** Waits until no notice, alert or release is waiting, running or due for a retry, or the time is up. */
export async function waitForQueues(deployment: Deployment, timeoutMillis: number): Promise<QueueState> {
  const queues = SETTLING_QUEUES.map((name) => new Queue(name, { connection: { ...deployment.redis, maxRetriesPerRequest: null }, prefix: deployment.redisPrefix }));
  try {
    const deadline = Date.now() + timeoutMillis;
    for (;;) {
      const counts = await Promise.all(queues.map((queue) => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed')));
      const pending = counts.reduce((sum, count) => sum + (count.waiting ?? 0) + (count.active ?? 0) + (count.delayed ?? 0) + (count.prioritized ?? 0), 0);
      const failed = counts.reduce((sum, count) => sum + (count.failed ?? 0), 0);
      if (pending === 0 || Date.now() >= deadline) return { settled: pending === 0, pending, failed };
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
  }
}

/**
 * The key a sent message is known by, for something that carries its Message-ID and recipients: the
 * Message-ID for the scripted client's, the unique recipient for smtp-source's; undefined for the
 * gateway's own mail.
 */
export function keyFor(sentKeys: ReadonlySet<string>, messageId: string | undefined, recipients: readonly string[]): string | undefined {
  if (messageId !== undefined && sentKeys.has(messageId)) return messageId;
  return recipients.map((recipient) => `rcpt:${recipient.toLowerCase()}`).find((key) => sentKeys.has(key));
}

/** How many quarantine records hold each sent message, read from the shared store as the DPO's tools would. */
export async function holdsByKey(deployment: Deployment, dataDir: string, sentKeys: ReadonlySet<string>): Promise<Map<string, number>> {
  const store = await openStore({ dataDir, databaseUrl: deployment.databaseUrl, key: deployment.quarantineKey });
  const holds = new Map<string, number>();
  try {
    const pageSize = 500;
    for (let offset = 0; ; offset += pageSize) {
      const page = await store.quarantine.list({ limit: pageSize, offset });
      for (const summary of page) {
        const held = await store.quarantine.open(summary.id);
        const key = keyFor(sentKeys, headerFacts(held.raw).messageId, summary.rcpt) ?? `unknown:${summary.id}`;
        holds.set(key, (holds.get(key) ?? 0) + 1);
      }
      if (page.length < pageSize) return holds;
    }
  } finally {
    await store.close();
  }
}

/** The gateway's own mail the next hop took (notices, alerts), by kind, and copies of one mail beyond the first. */
export interface GatewayMail {
  readonly byKind: ReadonlyMap<string, number>;
  readonly duplicates: number;
}

/** Splits what the next hop took into deliveries of sent messages and the gateway's own mail (Message-ID `<kind.key…@…>`). */
export function sortAccepted(accepted: readonly Accepted[], sentKeys: ReadonlySet<string>): { deliveries: Delivery[]; gatewayMail: GatewayMail } {
  const deliveries: Delivery[] = [];
  const byKind = new Map<string, number>();
  const seen = new Set<string>();
  let duplicates = 0;
  for (const each of accepted) {
    const key = keyFor(sentKeys, each.messageId, each.recipients);
    if (key !== undefined) {
      deliveries.push({ key, recipients: each.recipients, at: each.at, encrypted: each.encrypted });
      continue;
    }
    const kind = /^<([a-z-]+)\./.exec(each.messageId ?? '')?.[1] ?? 'unknown';
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    const identity = `${each.messageId ?? ''} ${each.recipients.join(',')}`;
    if (seen.has(identity)) duplicates += 1;
    seen.add(identity);
  }
  return { deliveries, gatewayMail: { byKind, duplicates } };
}
