import { parseArgs } from 'node:util';
import { QUARANTINE_STATUSES, type QuarantineStatus, type QuarantineSummary } from '../store/quarantine-store.js';
import { openConfiguredStore } from '../store/configured-store.js';
import { ADMIN_OPTIONS, adminSettings } from './admin-settings.js';
import { UsageError } from './usage-error.js';

const USAGE = 'hallmonitor quarantine list [--status held|released|rejected|expired] [--json] | release ID [--encrypt] | reject ID [--reason TEXT]';

/** `hallmonitor quarantine …` (CONTRACTS.md §4). */
export async function runQuarantine(args: readonly string[], write: (line: string) => void): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'list') return list(rest, write);
  throw new UsageError(`usage: ${USAGE}`);
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

/** The shape CONTRACTS.md §4 promises, and nothing more. */
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
