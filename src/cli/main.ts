import { readFileSync } from 'node:fs';
import { exitStatusFor } from '../errors/hallmonitor-error.js';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { UsageError } from './usage-error.js';

type Write = (line: string) => void;

/** What a command module gives: loaded only when that command runs, so `--help` and `--version` load nothing. */
interface LoadedCommand {
  readonly run: (args: readonly string[], write: Write) => Promise<number>;
  readonly usage: string;
  /** Longer help, where the usage line is not enough. */
  readonly help?: readonly string[];
}

interface Command {
  /** One line for `hallmonitor --help`. */
  readonly summary: string;
  readonly load: () => Promise<LoadedCommand>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  serve: {
    summary: 'run the gateway: the SMTP relay, its scans, queues and the review app',
    load: async () => import('./serve-command.js').then((m) => ({ run: m.runServe, usage: m.USAGE })),
  },
  worker: {
    summary: 'run queue workers only (deliveries, alerts, digests), beside gateways sharing Redis',
    load: async () => import('./worker-command.js').then((m) => ({ run: m.runWorker, usage: m.USAGE })),
  },
  check: {
    summary: 'check the whole configuration, as postfix check does: files, keys, next hop, Redis, store',
    load: async () => import('./check-command.js').then((m) => ({ run: m.runCheck, usage: m.USAGE, help: m.HELP })),
  },
  init: {
    summary: 'write a configuration file with every setting, its default and what it does',
    load: async () => import('./init-command.js').then((m) => ({ run: m.runInit, usage: m.USAGE })),
  },
  scan: {
    summary: 'scan .eml files as the gateway would, sending nothing',
    load: async () => import('./scan-command.js').then((m) => ({ run: m.runScan, usage: m.SCAN_USAGE })),
  },
  rules: {
    summary: 'check a rule folder, explain a verdict, print the policy table',
    load: async () => import('./rules-command.js').then((m) => ({ run: m.runRules, usage: m.USAGE })),
  },
  eval: {
    summary: 'score the scanner against a labelled corpus; with --min, fail on a regression',
    load: async () => import('./eval-command.js').then((m) => ({ run: m.runEval, usage: m.USAGE, help: m.HELP })),
  },
  quarantine: {
    summary: 'list, release, reject or delete held messages',
    load: async () => import('./quarantine-command.js').then((m) => ({ run: m.runQuarantine, usage: m.USAGE })),
  },
  users: {
    summary: "manage the review app's accounts",
    load: async () => import('./users-command.js').then((m) => ({ run: (args, write) => m.runUsers(args, write), usage: m.USAGE, help: m.HELP })),
  },
  keys: {
    summary: "import, list or remove recipients' OpenPGP keys",
    load: async () => import('./keys-command.js').then((m) => ({ run: m.runKeys, usage: m.USAGE })),
  },
  audit: {
    summary: 'verify the audit chain; export the incident register',
    load: async () => import('./audit-command.js').then((m) => ({ run: m.runAudit, usage: m.USAGE })),
  },
  'smtp-password': {
    summary: 'hash a password for an SMTP AUTH login in the configuration',
    load: async () => import('./smtp-password-command.js').then((m) => ({ run: m.runSmtpPassword, usage: m.USAGE })),
  },
};

const USAGE = `usage: hallmonitor <${Object.keys(COMMANDS).join('|')}> ... | hallmonitor --help | hallmonitor --version`;

function version(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** `--help` or `-h` among a command's options, before any `--` that ends them. */
function asksForHelp(args: readonly string[]): boolean {
  const options = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  return options.includes('--help') || options.includes('-h');
}

function overview(write: Write): number {
  write(USAGE);
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  for (const [name, command] of Object.entries(COMMANDS)) write(`  ${name.padEnd(width)}  ${command.summary}`);
  write('`hallmonitor COMMAND --help` shows how to use one. Exit status: 0 done, 2 bad options or unreadable input, 1 anything else.');
  return 0;
}

function commandHelp(command: Command, loaded: LoadedCommand, write: Write): number {
  write(command.summary);
  for (const line of loaded.help ?? [`usage: ${loaded.usage}`]) write(line);
  return 0;
}

/**
 * Every error becomes one line on stderr and an exit status by its disposition (exitStatusFor): 2 for bad options,
 * unreadable input or configuration, 75 when something it needs did not answer, 1 for anything else.
 */
async function main(argv: readonly string[]): Promise<number> {
  const write: Write = (line) => process.stdout.write(`${line}\n`);
  const [name, ...args] = argv;
  if (name === '--version' || name === '-V') return (write(`hallmonitor ${version()}`), 0);
  if (name === '--help' || name === '-h' || name === 'help') return overview(write);
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) throw new UsageError(name ? `unknown command "${name}"; ${USAGE}` : USAGE);
  const loaded = await command.load();
  if (asksForHelp(args)) return commandHelp(command, loaded, write);
  return loaded.run(args, write);
}

// A reader that stops early (`hallmonitor quarantine list | head`) has what it wanted: no stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`hallmonitor: ${message.split('\n')[0]}\n`);
    process.exitCode = exitStatusFor(error);
  },
);
