import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { KeyError } from '../crypto/key-error.js';
import { importKeys, listKeys, removeKey, type KeySummary } from '../crypto/recipient-keys.js';
import { ADMIN_OPTIONS, adminSettings } from './admin-settings.js';
import { UsageError } from './usage-error.js';

export const USAGE = 'hallmonitor keys import FILE.asc | keys list | keys remove FINGERPRINT|EMAIL  [--config FILE] [--data DIR] [--json]';

/**
 * `hallmonitor keys …` (docs/architecture.md, "Administration commands"): the recipients' OpenPGP public keys under `DATA/keys/recipients/`.
 * A refused key (expired, revoked, unusable, unreadable) exits 2 with one line naming it and why.
 */
export async function runKeys(args: readonly string[], write: (line: string) => void): Promise<number> {
  const [subcommand, ...rest] = args;
  const { values, positionals } = parse(rest);
  const { data } = await adminSettings(values);
  const show = (summary: KeySummary, status?: string) => write(values.json ? JSON.stringify(asJson(summary, status)) : describe(summary, status));
  try {
    if (subcommand === 'import' && positionals.length === 1) {
      for (const summary of await importKeys(data, await readKeyFile(positionals[0]!), new Date())) show(summary, 'imported');
      return 0;
    }
    if (subcommand === 'list' && positionals.length === 0) {
      const keys = await listKeys(data);
      for (const summary of keys) show(summary);
      if (!values.json && keys.length === 0) write('no recipient keys');
      return 0;
    }
    if (subcommand === 'remove' && positionals.length === 1) {
      for (const summary of await removeKey(data, positionals[0]!)) show(summary, 'removed');
      return 0;
    }
  } catch (error) {
    if (error instanceof KeyError) throw new UsageError(`${error.message} (${error.code})`);
    throw error;
  }
  throw new UsageError(`usage: ${USAGE}`);
}

async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: cannot read the key file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function asJson(summary: KeySummary, status: string | undefined) {
  return {
    fingerprint: summary.fingerprint,
    emails: summary.emails,
    expires: summary.expires?.toISOString() ?? null,
    ...(status ? { status } : {}),
  };
}

function describe(summary: KeySummary, status: string | undefined): string {
  const expiry = summary.expires ? `expires ${summary.expires.toISOString()}${summary.expires <= new Date() ? ' (expired)' : ''}` : 'never expires';
  return `${status ? `${status} ` : ''}${summary.fingerprint}  ${summary.emails.join(', ')}  ${expiry}`;
}

function parse(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: ADMIN_OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${USAGE}`);
  }
}
