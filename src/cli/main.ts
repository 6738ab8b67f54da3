import { runRules } from './rules-command.js';
import { runEval } from './eval-command.js';
import { runInit } from './init-command.js';
import { runQuarantine } from './quarantine-command.js';
import { runAudit } from './audit-command.js';
import { runWorker } from './worker-command.js';
import { runKeys } from './keys-command.js';
import { runUsers } from './users-command.js';
import { runScan } from './scan-command.js';
import { runServe } from './serve-command.js';
import { runSmtpPassword } from './smtp-password-command.js';
import { UsageError } from './usage-error.js';

const COMMANDS: Record<string, (args: readonly string[], write: (line: string) => void) => Promise<number>> = {
  serve: runServe,
  init: runInit,
  quarantine: runQuarantine,
  audit: runAudit,
  worker: runWorker,
  keys: runKeys,
  users: runUsers,
  scan: runScan,
  rules: runRules,
  eval: runEval,
  'smtp-password': runSmtpPassword,
};

const USAGE = `usage: hallmonitor <${Object.keys(COMMANDS).join('|')}> ...`;

/** Every error becomes one line on stderr: exit 2 for bad options or unreadable input, 1 for anything else. */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  const run = command === undefined ? undefined : COMMANDS[command];
  if (!run) throw new UsageError(command ? `unknown command "${command}"; ${USAGE}` : USAGE);
  return run(args, (line) => process.stdout.write(`${line}\n`));
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`hallmonitor: ${message.split('\n')[0]}\n`);
    process.exitCode = isInputError(error) ? 2 : 1;
  },
);

/** Bad options, and input files that cannot be used (roster, rules, messages), exit 2. */
function isInputError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'usage' || code === 'roster-invalid' || code === 'rules-invalid' || code === 'config-invalid' || code === 'message-unreadable';
}
