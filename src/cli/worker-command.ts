import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { nextHopFor, withoutRosters } from '../gateway/start-gateway.js';
import { startWorkers } from '../gateway/gateway-services.js';
import { checkRedisForQueues } from '../queue/check-redis.js';
import { queueConnection } from '../queue/job-seal.js';
import { bullMailQueue } from '../queue/mail-queue.js';
import { redisAddress } from '../queue/redis-connections.js';
import { loadTenants } from '../scan/tenants.js';
import { configuredStoreKey, openConfiguredStore } from '../store/configured-store.js';
import { settingsFrom } from './serve-command.js';
import { untilSignalled } from './until-signalled.js';
import { UsageError } from './usage-error.js';

const USAGE = 'hallmonitor worker [--config FILE] [--data DIR]';

/** Test hooks. */
export interface WorkerExtras {
  /** Redis key prefix, over the configuration's `redisPrefix`. */
  readonly prefix?: string;
  /** Resolves when the worker should stop (default: SIGTERM or SIGINT). */
  readonly stop?: Promise<void>;
}

/**
 * `hallmonitor worker`: the queue workers without the SMTP server (mail of every kind, releases, retention,
 * the digest), for deployments that run them apart from `serve` (`queueWorkers: false`, docs/deploy.md step 7);
 * any number may share one Redis, each job going to one of them. Loads the configuration as serve does,
 * refuses to start on a Redis that could lose jobs, and on SIGTERM or SIGINT lets the jobs in hand finish and exits 0.
 */
export async function runWorker(args: readonly string[], write: (line: string) => void, extras: WorkerExtras = {}): Promise<number> {
  const configured = await settingsFrom(serveFlags(args));
  const settings = extras.prefix ? { ...configured, redisPrefix: extras.prefix } : configured;
  const log = pino({ base: { service: 'hallmonitor', role: 'worker' } }, { write: (line: string) => write(line.trimEnd()) });
  const redis = await redisAddress(settings.redis, settings.redisTls);
  const check = await checkRedisForQueues(redis);
  if (!check.ok) {
    for (const problem of check.problems) log.error({ code: 'redis-unsuitable' }, problem);
    return 1;
  }
  for (const warning of check.warnings) log.warn(warning);
  const data = resolve(settings.data);
  // The workers never scan: the schools' rules (for the digest) without the rosters' memory.
  const tenants = await loadTenants(withoutRosters(settings.schools));
  const store = await openConfiguredStore({ ...settings, data });
  const queues = queueConnection(redis, await configuredStoreKey({ ...settings, data }));
  const mail = bullMailQueue(queues, { prefix: settings.redisPrefix });
  const nextHop = await nextHopFor(settings, data);
  const stop = extras.stop ?? untilSignalled();
  try {
    const workers = await startWorkers({ ...settings, data }, { queues, nextHop, tenants, log, store, mail });
    log.info({ nextHop: nextHop.description }, 'hallmonitor worker started');
    await stop;
    await workers.close();
    log.info('hallmonitor worker stopped');
    return 0;
  } finally {
    await nextHop.close();
    await mail.close();
    await store.close();
  }
}

/** Only the flags that choose the configuration; serve's others mean nothing here. */
function serveFlags(args: readonly string[]): string[] {
  try {
    const { values } = parseArgs({ args: [...args], options: { config: { type: 'string' }, data: { type: 'string' } } });
    return [...(values.config ? ['--config', values.config] : []), ...(values.data ? ['--data', values.data] : [])];
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${USAGE}`);
  }
}
