import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { nextHopFor, type GatewaySettings } from '../gateway/start-gateway.js';
import { checkRedisForQueues } from '../queue/check-redis.js';
import { mailSender } from '../queue/mail-sender.js';
import { startQueueWorkers, type QueueHandlers } from '../queue/queue-workers.js';
import { settingsFrom } from './serve-command.js';
import { UsageError } from './usage-error.js';

const USAGE = 'hallmonitor worker [--config FILE] [--data DIR]';

/** What the caller adds to the mail worker: handlers that need the store, and test hooks. */
export interface WorkerExtras {
  /** Release, retention and digest handlers, built from the settings (they need the store); none by default. */
  readonly handlers?: (settings: GatewaySettings, log: Logger) => Promise<Omit<QueueHandlers, 'send'>>;
  /** Redis key prefix (default BullMQ's `hallmonitor`, as serve uses). */
  readonly prefix?: string;
  /** Resolves when the worker should stop (default: SIGTERM or SIGINT). */
  readonly stop?: Promise<void>;
}

/**
 * `hallmonitor worker`: the queue workers without the SMTP server, for deployments that run them apart
 * from `serve`. Loads the configuration as serve does, refuses to start on a Redis that could lose jobs,
 * and on SIGTERM or SIGINT lets the jobs in hand finish and exits 0.
 */
export async function runWorker(args: readonly string[], write: (line: string) => void, extras: WorkerExtras = {}): Promise<number> {
  const settings = await settingsFrom(serveFlags(args));
  const log = pino({ base: { service: 'hallmonitor', role: 'worker' } }, { write: (line: string) => write(line.trimEnd()) });
  const check = await checkRedisForQueues(settings.redis);
  if (!check.ok) {
    for (const problem of check.problems) log.error({ code: 'redis-unsuitable' }, problem);
    return 1;
  }
  for (const warning of check.warnings) log.warn(warning);
  const data = resolve(settings.data);
  const nextHop = await nextHopFor(settings, data);
  const schoolDomains = settings.schools.flatMap((school) => school.domains);
  const send = mailSender(nextHop, settings.postmaster ?? `postmaster@${schoolDomains[0] ?? 'localhost'}`);
  const stop = extras.stop ?? untilSignalled();
  try {
    const workers = await startQueueWorkers(
      { url: settings.redis },
      { send, ...(await extras.handlers?.(settings, log)) },
      {
        ...(extras.prefix ? { prefix: extras.prefix } : {}),
        digestSchedule: { pattern: settings.digest.schedule, timezone: settings.digest.timezone },
        onFailure: (failure) => log.warn({ code: 'job-failed', ...failure }, failure.final ? 'job failed for good' : 'job failed; it will be retried'),
      },
    );
    log.info({ nextHop: nextHop.description }, 'hallmonitor worker started');
    await stop;
    await workers.close();
    log.info('hallmonitor worker stopped');
    return 0;
  } finally {
    await nextHop.close();
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

function untilSignalled(): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      done();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
