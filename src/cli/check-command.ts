import { checkConfiguration } from '../gateway/configuration-check.js';
import { settingsFrom, USAGE as SERVE_USAGE } from './serve-command.js';

export const USAGE = `hallmonitor check [--json] ${SERVE_USAGE.replace(/^hallmonitor serve /, '')}`;

export const HELP = [
  `usage: ${USAGE}`,
  'Checks the configuration serve would run on (the same file, flags and environment), as `postfix check` does,',
  "without starting anything or writing a file: each school's roster, staff list, rules and vocabularies; the TLS",
  "certificate and key; the quarantine key, the signing key and the recipients' keys; whether the next hop answers",
  'EHLO, and Redis and the store (PostgreSQL, or the SQLite data folder) answer. One line per check:',
  '  ok       SETTING  what was found',
  '  problem  SETTING  what is wrong, with the setting to change',
  '--json prints one {"setting","ok","detail"} object per line. Exit status: 0 when every check is ok, 1 on any',
  'problem, 2 when the configuration file itself cannot be read or parsed.',
];

/** `hallmonitor check`: exit 1 when any check finds a problem. */
export async function runCheck(args: readonly string[], write: (line: string) => void): Promise<number> {
  const json = args.includes('--json');
  const settings = await settingsFrom(args.filter((arg) => arg !== '--json'));
  const results = await checkConfiguration(settings);
  const width = Math.max(...results.map((result) => result.setting.length));
  for (const result of results) {
    write(json ? JSON.stringify(result) : `${(result.ok ? 'ok' : 'problem').padEnd(8)} ${result.setting.padEnd(width)}  ${result.detail}`);
  }
  return results.every((result) => result.ok) ? 0 : 1;
}
