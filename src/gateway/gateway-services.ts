import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPrivateKey, type PrivateKey } from 'openpgp';
import type { Logger } from 'pino';
import type { ActionDependencies } from '../actions/action-dependencies.js';
import type { NextHop } from '../delivery/next-hop.js';
import { releaseHeldMessage } from '../actions/quarantine-decisions.js';
import type { Config } from '../config/config.js';
import type { AlertRecipients, SchoolEncryption } from '../config/schools-config.js';
import { encryptForRecipients, type KeylessForm } from '../crypto/encrypt-message.js';
import { domainOf } from '../message/addresses.js';
import { checkRedisForQueues } from '../queue/check-redis.js';
import { digestRoles } from '../queue/digest.js';
import { queueConnection, type QueueConnection } from '../queue/job-seal.js';
import type { RedisAddress } from '../queue/redis-connections.js';
import { bullMailQueue, type MailQueue } from '../queue/mail-queue.js';
import { mailSender } from '../queue/mail-sender.js';
import { startQueueWorkers, type QueueHandlers, type RunningWorkers } from '../queue/queue-workers.js';
import type { Tenants } from '../scan/tenants.js';
import { auditWriter, type AuditWriter } from '../store/audit-writer.js';
import { configuredStoreKey, openConfiguredStore } from '../store/configured-store.js';
import { enforceRetention } from '../store/retention.js';
import type { Store } from '../store/store.js';
import { auditDigestSource } from './audit-digest-source.js';
import { loadTraceSecret, tracedNextHop } from './loop-guard.js';
import type { GatewayMetrics, WorkerMetrics } from './metrics.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

/** What serve and worker share: settings plus, by school id, its display name and alert recipients. */
export interface ServiceSettings
  extends Pick<
    Config,
    | 'data'
    | 'database'
    | 'quarantineKey'
    | 'quarantineKeyVersion'
    | 'retiredQuarantineKeys'
    | 'encryption'
    | 'reviewUrl'
    | 'web'
    | 'digest'
    | 'retention'
    | 'postmaster'
    | 'redisPrefix'
    | 'queueWorkers'
  > {
  readonly alertRecipients: Readonly<Record<string, AlertRecipients>>;
  /** Each school's choice of form for recipients without a key, by school id; absent: the gateway's. */
  readonly schoolEncryption?: Readonly<Record<string, SchoolEncryption>>;
  readonly schools: readonly { readonly id?: string | undefined; readonly name?: string | undefined; readonly domains: readonly string[] }[];
}

/** Redis that could lose queued notices or alerts is a configuration fault: say what is wrong and stop. */
export class RedisUnsuitableError extends HallmonitorError {
  readonly code = 'config-invalid';
  readonly disposition = 'configuration';
  constructor(problems: readonly string[]) {
    super(problems.join('; '));
    this.name = 'RedisUnsuitableError';
  }
}

export interface GatewayServices {
  readonly store: Store;
  readonly mail: MailQueue;
  readonly actions: ActionDependencies;
  /** Lets jobs in hand finish, writes the audit entries still waiting, and disconnects. */
  close(): Promise<void>;
}

const NOBODY: AlertRecipients = { 'business-manager': [], dpo: [], dsl: [] };

/** The From address of everything the gateway writes to people. */
export function postmasterFor(settings: Pick<ServiceSettings, 'postmaster' | 'schools'>): string {
  return settings.postmaster ?? `postmaster@${settings.schools.flatMap((school) => school.domains)[0] ?? 'localhost'}`;
}

/**
 * Checks Redis, then opens the store and the queues and, unless `queueWorkers` is off (dedicated
 * `hallmonitor worker` processes do that work), starts the queue workers beside the SMTP server.
 */
export async function startGatewayServices(
  settings: ServiceSettings,
  context: { readonly redis: RedisAddress; readonly nextHop: NextHop; readonly tenants: Tenants; readonly log: Logger; readonly metrics: GatewayMetrics },
): Promise<GatewayServices> {
  const { redis, nextHop, tenants, log, metrics } = context;
  const check = await checkRedisForQueues(redis);
  if (!check.ok) throw new RedisUnsuitableError(check.problems);
  for (const warning of check.warnings) log.warn({ code: 'redis-warning' }, warning);
  const data = settings.data;
  const store = await openConfiguredStore(settings);
  if (store.audit.keyingProblem) log.error({ code: 'audit-chain-not-keyed' }, store.audit.keyingProblem);
  const queues = queueConnection(redis, await configuredStoreKey(settings));
  const mail = bullMailQueue(queues, { prefix: settings.redisPrefix });
  const writer = backgroundAudit(store, log, metrics);
  const encrypt = await encryptorFor(settings);
  const reviewBaseUrl = settings.reviewUrl ?? `http://${settings.web.host}:${settings.web.port}`;
  const actions: ActionDependencies = {
    nextHop,
    mail,
    quarantine: store.quarantine,
    audit: { record: (entry) => store.audit.append(entry), recordLater: (entry) => writer.write(entry) },
    alertInbox: store.alertInbox,
    alerts: {
      reviewBaseUrl,
      recipientsFor: (schoolId) => settings.alertRecipients[schoolId] ?? NOBODY,
    },
    encrypt,
    spoolDirectory: join(data, 'spool'),
    selfService: { returned: store.returned, links: store.senderLinks, linkHours: settings.retention.senderLinkHours, baseUrl: reviewBaseUrl },
  };
  const workers = settings.queueWorkers ? await startWorkers(settings, { queues, nextHop, tenants, log, metrics, store, mail, encrypt }) : undefined;
  if (!workers) log.info({ code: 'queue-workers-off' }, 'queue workers off: hallmonitor worker processes send alerts and notices and carry out releases');
  return {
    store,
    mail,
    actions,
    async close() {
      await workers?.close();
      await writer.flush();
      await mail.close();
      await store.close();
    },
  };
}

/** The queue workers: mail of every kind, releases, retention and the digest. `hallmonitor worker` runs the same. */
export async function startWorkers(
  settings: ServiceSettings,
  context: {
    readonly queues: QueueConnection;
    readonly nextHop: NextHop;
    readonly tenants: Tenants;
    readonly log: Logger;
    /** Counts refused and failed jobs, on serve's `/metrics` or the worker's own listener. */
    readonly metrics?: Pick<WorkerMetrics, 'refusedJobs' | 'jobFailures'>;
    readonly store: Store;
    readonly mail: MailQueue;
    readonly encrypt?: Encryptor;
  },
): Promise<RunningWorkers> {
  const { queues, nextHop, tenants, log, metrics, store, mail } = context;
  const encrypt = context.encrypt ?? (await encryptorFor(settings));
  const spool = join(settings.data, 'spool');
  await mkdir(spool, { recursive: true, mode: 0o700 });
  const ownMail = tracedNextHop(nextHop, await loadTraceSecret(join(settings.data, 'keys', 'trace.key')));
  const handlers: QueueHandlers = {
    send: mailSender(ownMail, postmasterFor(settings)),
    release: (request) => releaseHeldMessage({ store, nextHop: ownMail, mail, encrypt, spoolDirectory: spool }, request),
    retention: async () => {
      const result = await enforceRetention(store, new Date(), settings.retention);
      log.info({ ...result }, 'retention enforced');
    },
    digest: {
      source: auditDigestSource(store.audit, (schoolId) => tenants.schools.find((loaded) => loaded.school.id === schoolId)?.school.ruleSet),
      schools: tenants.schools.map(({ school }) => ({
        id: school.id,
        name: settings.schools.find((source) => source.id === school.id)?.name,
        recipients: settings.alertRecipients[school.id] ?? NOBODY,
        roles: digestRoles(school.ruleSet),
      })),
      options: { timeZone: settings.digest.timezone },
    },
  };
  return startQueueWorkers(queues, handlers, {
    prefix: settings.redisPrefix,
    digestSchedule: { pattern: settings.digest.schedule, timezone: settings.digest.timezone },
    onFailure: (failure) => {
      metrics?.jobFailures.inc({ queue: failure.queue, final: String(failure.final) });
      log.warn({ code: 'job-failed', ...failure }, failure.final ? 'job failed for good' : 'job failed; it will be retried');
    },
    onRefused: (refusal) => {
      metrics?.refusedJobs.inc({ queue: refusal.queue, reason: refusal.reason });
      log.error({ code: 'job-refused', ...refusal }, 'a queue job this deployment did not seal was refused: something other than the gateway writes to Redis');
    },
  });
}

function backgroundAudit(store: Store, log: Logger, metrics: GatewayMetrics): AuditWriter {
  // Written, not synced, before each reply: no fsync on the event loop per message, none lost if the gateway
  // crashes, and a flush to disk within a second (audit-log.ts, CommitDurability).
  const writer = auditWriter(store.audit, {
    durability: 'written',
    onError: (error, pending) => {
      metrics.faults.inc({ stage: 'audit' });
      log.error({ code: (error as { code?: unknown }).code ?? 'audit-write', pending }, 'audit entries not written yet; retrying');
    },
  });
  metrics.watchPendingAudit(() => writer.pending());
  return writer;
}

/** Makes each recipient's encrypted form of a message: keys from DATA/keys/recipients, passphrases from the configuration. */
export type Encryptor = ActionDependencies['encrypt'];

export async function encryptorFor(settings: Pick<ServiceSettings, 'data' | 'encryption' | 'schoolEncryption'>): Promise<Encryptor> {
  const signingKey = await loadSigningKey(settings.encryption.signingKey);
  return (raw, envelope, schoolId) =>
    encryptForRecipients({
      raw,
      envelope,
      keyring: settings.data,
      preAgreed: settings.encryption.passphrases,
      ...(signingKey ? { signingKey } : {}),
      now: new Date(),
      kdf: settings.encryption.envelopeKdf,
      ...(settings.encryption.webKeyDirectory ? { webKeyDirectory: {} } : {}),
      keylessForm: (recipient) => keylessFormFor(settings, schoolId, recipient),
      maxMessageBytes: settings.encryption.maxEncryptedMessageBytes,
    });
}

/**
 * A recipient's own entry first (the school's list, then the gateway's; an address before its domain):
 * it states what that organisation can open. Then the school's choice, then the gateway's.
 */
export function keylessFormFor(settings: Pick<ServiceSettings, 'encryption' | 'schoolEncryption'>, schoolId: string | undefined, recipient: string): KeylessForm {
  const school = schoolId === undefined ? undefined : settings.schoolEncryption?.[schoolId];
  const address = recipient.toLowerCase();
  const lists = [school?.keylessFormByRecipient ?? {}, settings.encryption.keylessFormByRecipient];
  for (const list of lists) {
    const chosen = list[address] ?? list[domainOf(address)];
    if (chosen) return chosen;
  }
  return school?.keylessForm ?? settings.encryption.keylessForm;
}

async function loadSigningKey(path: string | undefined): Promise<PrivateKey | undefined> {
  if (path === undefined) return undefined;
  return readPrivateKey({ armoredKey: await readFile(path, 'utf8') });
}
