import { parseArgs } from 'node:util';
import { incidentsCsv } from '../store/incidents-csv.js';
import { openConfiguredStore } from '../store/configured-store.js';
import type { Store } from '../store/store.js';
import { ADMIN_OPTIONS, adminSettings } from './admin-settings.js';
import { UsageError } from './usage-error.js';

export const USAGE = 'hallmonitor audit verify [--json] | hallmonitor audit incidents [--since YYYY-MM-DD] [--until YYYY-MM-DD]';

/**
 * `hallmonitor audit verify`: recomputes the audit chain; exit 1 when an entry was altered, removed or
 * reordered, or the chain no longer reaches the head anchored in DATA/keys/audit-head.json. `hallmonitor audit incidents`: the near-miss register as CSV, for the DPO's own records.
 */
export async function runAudit(args: readonly string[], write: (line: string) => void): Promise<number> {
  const [subcommand, ...rest] = args;
  const { values, positionals } = parse(rest);
  if (positionals.length > 0) throw new UsageError(`unexpected ${positionals[0]}; usage: ${USAGE}`);
  const run = subcommand === 'verify' ? verify : subcommand === 'incidents' ? incidents : undefined;
  if (!run) throw new UsageError(`usage: ${USAGE}`);
  const range = { since: dateOption(values.since, '--since'), until: dateOption(values.until, '--until') };
  const store = await openConfiguredStore(await adminSettings(values));
  try {
    return await run(store, write, { json: values.json === true, ...range });
  } finally {
    await store.close();
  }
}

interface RunOptions {
  readonly json: boolean;
  readonly since: Date | undefined;
  readonly until: Date | undefined;
}

async function verify(store: Store, write: (line: string) => void, { json }: RunOptions): Promise<number> {
  const result = await store.audit.verify();
  if (json) write(JSON.stringify(result));
  else if (result.ok) write(`audit chain intact: ${result.entries} entries, head ${result.headSeq} (${result.headHash.slice(0, 16)}…); ${keying(result)}; ${anchoring(result)}`);
  else write(`audit chain BROKEN at entry ${result.brokenAtSeq}: ${result.reason}; ${keying(result)}; ${anchoring(result)}`);
  return result.ok ? 0 : 1;
}

/** Which kind of chain this is, and so what its verification proves. */
function keying(result: { readonly scheme: string; readonly keyed: boolean }): string {
  return result.keyed
    ? `keyed (${result.scheme}, a key outside the database): a database writer without the store key cannot rewrite it unnoticed`
    : 'NOT keyed (sha256): it shows accidental damage, but a database writer could rewrite it and its hashes';
}

/** Whether the end of the chain is checked too. */
function anchoring(result: { readonly anchoredSeq?: number }): string {
  return result.anchoredSeq === undefined
    ? 'its end is NOT anchored outside the database (no DATA/keys/audit-head.json here): newest entries deleted would not show'
    : `its end is anchored outside the database at entry ${result.anchoredSeq}: the newest entries cannot be deleted unnoticed`;
}

async function incidents(store: Store, write: (line: string) => void, { since, until }: RunOptions): Promise<number> {
  const rows = await store.incidents.list({ ...(since ? { since } : {}), ...(until ? { until } : {}), limit: 100_000 });
  write(incidentsCsv(rows).trimEnd());
  return 0;
}

function dateOption(text: string | undefined, name: string): Date | undefined {
  if (text === undefined) return undefined;
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new UsageError(`${name} takes a date as YYYY-MM-DD`);
  return date;
}

function parse(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: { ...ADMIN_OPTIONS, since: { type: 'string' }, until: { type: 'string' } }, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${USAGE}`);
  }
}
