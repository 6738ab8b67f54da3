/** The BullMQ queues, one per kind of work so that a process runs workers only for the work it can do. */
export const QUEUE_NAMES = {
  /** Every email the gateway sends of its own: notices, alerts, digests (job name = the mail's kind). */
  mail: 'outgoing-mail',
  /** Quarantined messages the DPO released, to deliver. */
  releases: 'releases',
  /** The hourly retention sweep. */
  retention: 'retention',
  /** The daily digest: counts the day, then queues one digest mail per school and role. */
  digests: 'digests',
} as const;

export const DEFAULT_PREFIX = 'hallmonitor';
