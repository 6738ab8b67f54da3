import { parseArgs } from 'node:util';
import { DecisionRefused, deleteHeldMessage, rejectHeldMessage, requestRelease } from '../actions/quarantine-decisions.js';
import { bullMailQueue } from '../queue/mail-queue.js';
import type { Store } from '../store/store.js';
import { QUARANTINE_STATUSES, type QuarantineStatus, type QuarantineSummary } from '../store/quarantine-store.js';
import { configuredStoreKey, openConfiguredStore } from '../store/configured-store.js';
import { queueConnection } from '../queue/job-seal.js';
import { redisAddress } from '../queue/redis-connections.js';
import { ADMIN_OPTIONS, adminSettings, operator } from './admin-settings.js';
import { UsageError } from './usage-error.js';

export const USAGE = `hallmonitor quarantine list [--status ${QUARANTINE_STATUSES.join('|')}] [--json] | release ID [--encrypt] | reject ID [--reason TEXT] | delete ID --reason TEXT`;

/** `hallmonitor quarantine …` (docs/architecture.md, "Administration commands"). */
export async function runQuarantine(args: readonly string[], write: (line: string) => void): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'list') return list(rest, write);
  if (subcommand === 'release') return release(rest, write);
  if (subcommand === 'reject') return reject(rest, write);
  if (subcommand === 'delete') return remove(rest, write);
  throw new UsageError(`usage: ${USAGE}`);
}

/**
 * Queues the release (job `release.<id>`, so asking twice releases once) for the workers of `serve` or
 * `hallmonitor worker`, which deliver it through the next hop; waits a little to report the outcome.
 */
async function release(args: readonly string[], write: (line: string) => void): Promise<number> {
  const { values, positionals } = parse(args, { encrypt: { type: 'boolean' }, wait: { type: 'string' } });
  const id = onlyId(positionals);
  const waitSeconds = values.wait === undefined ? 15 : Number(values.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new UsageError('--wait takes a number of seconds');
  const settings = await adminSettings(values);
  const store = await openConfiguredStore(settings);
  const mail = bullMailQueue(queueConnection(await redisAddress(settings.redis, settings.redisTls), await configuredStoreKey(settings)), { prefix: settings.redisPrefix });
  try {
    await requestRelease({ store, mail }, id, { encrypt: values.encrypt === true, actor: operator() }).catch((error: unknown) => {
      throw error instanceof DecisionRefused ? new UsageError(error.message) : error;
    });
    const status = await statusAfter(store, id, waitSeconds * 1000);
    const done = status === 'released';
    if (values.json) write(JSON.stringify({ id, status, queued: !done }));
    else write(done ? `released ${id}: delivered to the next hop` : `release of ${id} queued: the gateway's workers deliver it when the next hop takes it`);
  } finally {
    await mail.close();
    await store.close();
  }
  return 0;
}

async function reject(args: readonly string[], write: (line: string) => void): Promise<number> {
  const { values, positionals } = parse(args, { reason: { type: 'string' } });
  const id = onlyId(positionals);
  const settings = await adminSettings(values);
  const store = await openConfiguredStore(settings);
  const mail = bullMailQueue(queueConnection(await redisAddress(settings.redis, settings.redisTls), await configuredStoreKey(settings)), { prefix: settings.redisPrefix });
  try {
    await rejectHeldMessage({ store, mail }, id, { actor: operator(), reason: values.reason ?? '' });
    write(values.json ? JSON.stringify({ id, status: 'rejected' }) : `rejected ${id}: it will not be sent, and the sender is told`);
  } catch (error) {
    if (error instanceof DecisionRefused) throw new UsageError(error.message);
    throw error;
  } finally {
    await mail.close();
    await store.close();
  }
  return 0;
}

/**
 * Destroys a held message's body at once: it is never sent and, unlike `reject`, the sender is not told
 * (src/web/README.md says when that is right). Needs no Redis: nothing is queued.
 */
async function remove(args: readonly string[], write: (line: string) => void): Promise<number> {
  const { values, positionals } = parse(args, { reason: { type: 'string' } });
  const id = onlyId(positionals);
  const reason = values.reason?.trim() ?? '';
  if (reason === '') throw new UsageError('deleting a held message needs --reason TEXT: it goes in the audit log');
  const store = await openConfiguredStore(await adminSettings(values));
  try {
    await deleteHeldMessage({ store }, id, { actor: operator(), reason });
    write(values.json ? JSON.stringify({ id, status: 'deleted' }) : `deleted ${id}: destroyed, it will not be sent, and the sender is not told`);
  } catch (error) {
    if (error instanceof DecisionRefused) throw new UsageError(error.message);
    throw error;
  } finally {
    await store.close();
  }
  return 0;
}

async function statusAfter(store: Store, id: string, waitMs: number): Promise<QuarantineStatus | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const status = (await store.quarantine.find(id))?.status;
    if ((status !== 'held' && status !== 'releasing') || Date.now() >= deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function onlyId(positionals: readonly string[]): string {
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) throw new UsageError(`usage: ${USAGE}`);
  return id;
}

async function list(args: readonly string[], write: (line: string) => void): Promise<number> {
  const { values, positionals } = parse(args, { status: { type: 'string' }, limit: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`unexpected ${positionals[0]}; usage: ${USAGE}`);
  const status = values.status === undefined ? undefined : statusOf(values.status);
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit takes a positive whole number');
  const store = await openConfiguredStore(await adminSettings(values));
  try {
    const held = await store.quarantine.list({ ...(status ? { status } : {}), limit });
    for (const summary of held) write(values.json ? JSON.stringify(listed(summary)) : describe(summary));
    if (!values.json && held.length === 0) write('nothing in quarantine');
  } finally {
    await store.close();
  }
  return 0;
}

/** The shape docs/architecture.md, "Administration commands" promises, and nothing more. */
function listed(summary: QuarantineSummary) {
  return {
    id: summary.id,
    receivedAt: summary.receivedAt.toISOString(),
    from: summary.from,
    rcpt: summary.rcpt,
    categories: summary.categories,
    status: summary.status,
  };
}

function describe(summary: QuarantineSummary): string {
  const to = summary.rcpt.length === 1 ? summary.rcpt[0] : `${summary.rcpt.length} recipients`;
  return `${summary.id}  ${summary.receivedAt.toISOString()}  ${summary.status.padEnd(8)}  ${summary.from} → ${to}  ${summary.categories.join(', ')}`;
}

function statusOf(text: string): QuarantineStatus {
  const status = QUARANTINE_STATUSES.find((each) => each === text);
  if (!status) throw new UsageError(`--status must be one of ${QUARANTINE_STATUSES.join(', ')}`);
  return status;
}

function parse<Extra extends Record<string, { type: 'string' | 'boolean' }>>(args: readonly string[], extra: Extra) {
  try {
    return parseArgs({ args: [...args], options: { ...ADMIN_OPTIONS, ...extra }, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${USAGE}`);
  }
}
