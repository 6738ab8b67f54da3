import type { Store } from './store.js';

export interface RetentionPolicy {
  /** Days a quarantined message body is kept before it is destroyed (default 30). */
  readonly quarantineDays?: number;
  /** Days audit entries, incidents, alerts and quarantine metadata (envelope addresses) are kept (default 365). */
  readonly auditDays?: number;
}

export interface RetentionResult {
  readonly bodiesDestroyed: number;
  readonly quarantineRecordsDeleted: number;
  readonly auditEntriesPruned: number;
  readonly incidentsDeleted: number;
  readonly alertsDeleted: number;
  /** Returned messages whose notice link expired: their sealed copy destroyed. */
  readonly returnedBodiesDestroyed: number;
  readonly returnedRecordsDeleted: number;
  /** Lines of the activity explorer, and false-positive marks, at the end of the audit period. */
  readonly activityDeleted: number;
  readonly falsePositivesDeleted: number;
}

const DAY_MS = 86_400_000;

/** One pass of the retention job; safe to run repeatedly and from several processes. */
export async function enforceRetention(store: Store, now: Date, policy: RetentionPolicy = {}): Promise<RetentionResult> {
  const quarantineDays = policy.quarantineDays ?? 30;
  const auditDays = policy.auditDays ?? 365;
  for (const [name, days] of [
    ['quarantineDays', quarantineDays],
    ['auditDays', auditDays],
  ] as const) {
    if (!Number.isFinite(days) || days <= 0) throw new RangeError(`retention ${name} must be a positive number of days`);
  }
  const bodyCutoff = new Date(now.getTime() - quarantineDays * DAY_MS);
  const metadataCutoff = new Date(now.getTime() - auditDays * DAY_MS);
  // Bodies first: their expiry writes audit entries, which must exist before the audit is pruned.
  const bodiesDestroyed = await store.quarantine.expire(bodyCutoff, now);
  const returnedBodiesDestroyed = await store.returned.expire(now);
  return {
    bodiesDestroyed,
    returnedBodiesDestroyed,
    returnedRecordsDeleted: await store.returned.purge(metadataCutoff),
    quarantineRecordsDeleted: await store.quarantine.purge(metadataCutoff),
    auditEntriesPruned: await store.audit.prune(metadataCutoff),
    incidentsDeleted: await store.incidents.prune(metadataCutoff),
    alertsDeleted: await store.alertInbox.prune(metadataCutoff),
    activityDeleted: await store.activity.prune(metadataCutoff),
    falsePositivesDeleted: await store.falsePositives.prune(metadataCutoff),
  };
}
