import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { nextHopFor, withoutRosters } from '../gateway/start-gateway.js';
import { startWorkers } from '../gateway/gateway-services.js';
import { createWorkerMetrics } from '../gateway/metrics.js';
import { startMetricsServer } from '../gateway/metrics-server.js';
import { createLogger, isTerminal } from '../gateway/logger.js';
import type { RunningWebServer } from '../gateway/status-server.js';
import { parseHostPort, type HostPort } from '../config/gateway-config.js';
import { checkRedisForQueues } from '../queue/check-redis.js';
import { queueConnection } from '../queue/job-seal.js';
import { bullMailQueue } from '../queue/mail-queue.js';
import { redisAddress } from '../queue/redis-connections.js';
import { loadTenants } from '../scan/tenants.js';
import { configuredStoreKey, openConfiguredStore } from '../store/configured-store.js';
import { settingsFrom } from './serve-command.js';
import { untilSignalled } from './until-signalled.js';
import { UsageError } from './usage-error.js';

export const USAGE = 'hallmonitor worker [--config FILE] [--data DIR] [--metrics HOST:PORT] [--log-level LEVEL]';

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
  const flags = workerFlags(args);
  const configured = await settingsFrom(flags.serve);
  const settings = { ...configured, ...(extras.prefix ? { redisPrefix: extras.prefix } : {}), ...(flags.metrics ? { workerMetrics: flags.metrics } : {}) };
  const log = createLogger({ level: settings.logLevel, base: { service: 'hallmonitor', role: 'worker' }, pretty: isTerminal(), write: (text) => write(text.trimEnd()) });
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
  const metrics = createWorkerMetrics();
  metrics.watchFailedJobs(() => mail.failedCount());
  let stopping = false;
  let listener: RunningWebServer | undefined;
  try {
    const workers = await startWorkers({ ...settings, data }, { queues, nextHop, tenants, log, store, mail, metrics });
    listener = settings.workerMetrics
      ? await startMetricsServer(settings.workerMetrics, { registry: metrics.registry, metricsToken: settings.metricsToken, isHealthy: () => !stopping })
      : undefined;
    log.info({ nextHop: nextHop.description, ...(listener ? { metrics: `${listener.address.host}:${listener.address.port}` } : {}) }, 'hallmonitor worker started');
    await stop;
    stopping = true;
    await workers.close();
    log.info('hallmonitor worker stopped');
    return 0;
  } finally {
    await listener?.close();
    await nextHop.close();
    await mail.close();
    await store.close();
  }
}

/** The flags that choose the configuration (serve's others mean nothing here), and the metrics listener. */
function workerFlags(args: readonly string[]): { serve: string[]; metrics?: HostPort } {
  let values: { config?: string | undefined; data?: string | undefined; metrics?: string | undefined; 'log-level'?: string | undefined };
  try {
    ({ values } = parseArgs({ args: [...args], options: { config: { type: 'string' }, data: { type: 'string' }, metrics: { type: 'string' }, 'log-level': { type: 'string' } } }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${USAGE}`);
  }
  const metrics = values.metrics === undefined ? undefined : parseHostPort(values.metrics);
  if (values.metrics !== undefined && !metrics) throw new UsageError(`--metrics takes HOST:PORT, e.g. 127.0.0.1:9465; usage: ${USAGE}`);
  const serve = [
    ...(values.config ? ['--config', values.config] : []),
    ...(values.data ? ['--data', values.data] : []),
    ...(values['log-level'] ? ['--log-level', values['log-level']] : []),
  ];
  return { serve, ...(metrics ? { metrics } : {}) };
}
