import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Config } from '../config/config.js';
import { schoolConfigSchema } from '../config/schools-config.js';
import { hashPassword } from '../smtp/password-hash.js';
import { openConfiguredStore } from '../store/configured-store.js';
import { StoreError } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { USER_ROLES, type AccountChange, type SchoolScope, type User, type UserRole } from '../store/user-directory.js';
import { ADMIN_OPTIONS, adminSettings, operator } from './admin-settings.js';
import { UsageError } from './usage-error.js';

const ROLES = USER_ROLES.join('|');
const COMMON = '[--config FILE] [--data DIR] [--json]';
/** One line per subcommand: `users --help` prints them all; a usage error names them in one line. */
const SUBCOMMANDS = [
  `users add EMAIL --role ${ROLES} --password-stdin|--entra [--school ID ... | --all-schools] [--entra-guest] [--reason TEXT]`,
  'users list',
  'users disable EMAIL [--reason TEXT]        ends its sessions at once; it can no longer sign in',
  'users enable EMAIL [--reason TEXT]',
  'users set-password EMAIL --password-stdin [--reason TEXT]   ends all its sessions',
  `users set-role EMAIL ${ROLES} [--reason TEXT]`,
  'users remove EMAIL [--reason TEXT]         its sessions and schools go; the audit log keeps what it did',
  'users reset-mfa EMAIL [--reason TEXT]      removes its authenticator and recovery codes, ends its sessions; it enrols anew at its next sign-in',
  'users set-entra-guest EMAIL allow|refuse [--reason TEXT]   whether a guest of the Entra ID tenant may sign in as it',
];
export const USAGE = `hallmonitor ${SUBCOMMANDS.map((line) => line.split(/\s{2,}/)[0]).join(' | ')} (each: ${COMMON})`;
export const HELP = [
  'usage:',
  ...SUBCOMMANDS.map((line) => `  hallmonitor ${line}`),
  `Every command takes ${COMMON}. Every change is written to the audit log as cli:<your login>, with --reason.`,
  'An account sees only the schools given with --school; --all-schools gives it the whole trust. With several',
  'schools configured, add needs one of them; with one school (or none configured), neither means the whole trust.',
  'The dpo, dsl and admin roles sign in with a password and a TOTP code (docs/security.md#sign-in-and-mfa).',
  'Exit status: 0 done, 2 bad input (an unknown account, a bad option), 1 anything else.',
];
const MIN_PASSWORD = 12;

type Write = (line: string) => void;
type Stdin = AsyncIterable<Buffer>;

/** `hallmonitor users …` (docs/architecture.md, "Administration commands"): the review app's local accounts. */
export async function runUsers(args: readonly string[], write: Write, stdin: Stdin = process.stdin as Stdin): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    for (const line of HELP) write(line);
    return 0;
  }
  if (subcommand === 'add') return add(rest, write, stdin);
  if (subcommand === 'list') return list(rest, write);
  if (subcommand === 'disable') return disable(rest, write);
  if (subcommand === 'enable') return enable(rest, write);
  if (subcommand === 'set-password') return setPassword(rest, write, stdin);
  if (subcommand === 'set-role') return setRole(rest, write);
  if (subcommand === 'remove') return remove(rest, write);
  if (subcommand === 'reset-mfa') return resetMfa(rest, write);
  if (subcommand === 'set-entra-guest') return setEntraGuest(rest, write);
  throw new UsageError(`usage: ${USAGE}`);
}

/**
 * The password comes on standard input, so it never appears in a process list or shell history. The scope is
 * stored explicitly, the whole trust included (`schoolScope` says when it may be left unsaid).
 */
async function add(args: readonly string[], write: Write, stdin: Stdin): Promise<number> {
  const { values, positionals } = parse(args, {
    role: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    entra: { type: 'boolean' },
    school: { type: 'string', multiple: true },
    'all-schools': { type: 'boolean' },
    'entra-guest': { type: 'boolean' },
    reason: { type: 'string' },
  });
  const email = onlyEmail(positionals);
  const role = roleOf(values.role, '--role');
  if (!values['password-stdin'] === !values.entra)
    throw new UsageError('the password is read from standard input: give --password-stdin, or --entra for an account that signs in only with Microsoft Entra ID');
  const settings = await adminSettings(values);
  const schools = schoolScope(values.school ?? [], values['all-schools'] === true, settings);
  // An Entra ID-only account gets a random password that nobody is ever told (src/web/README.md).
  const password = values.entra ? randomBytes(32).toString('base64url') : await newPassword(stdin);
  const passwordHash = await hashPassword(password);
  await inStore(settings, async (store) => {
    const user = await store.users.add({ email, role, passwordHash, schools, entraGuest: values['entra-guest'] === true }, change(values.reason));
    // A trust-wide account prints exactly what it did before schools existed (docs/architecture.md, "Administration commands").
    if (values.json) write(JSON.stringify({ email: user.email, role: user.role, ...(user.schools === 'all' ? {} : { schools: user.schools }) }));
    else write(`added ${user.email} as ${user.role}${user.schools === 'all' ? '' : ` for ${user.schools.join(', ')}`}`);
  });
  return 0;
}

/** Runs `work` on the configured store and closes it; a record the store refuses is bad input (exit 2). */
async function inStore(settings: Config, work: (store: Store) => Promise<void>): Promise<void> {
  const store = await openConfiguredStore(settings);
  try {
    await work(store);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'invalid-record') throw new UsageError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}

async function list(args: readonly string[], write: Write): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (positionals.length > 0) throw new UsageError(`usage: ${USAGE}`);
  const store = await openConfiguredStore(await adminSettings(values));
  try {
    for (const user of await store.users.list()) {
      const row = {
        email: user.email,
        role: user.role,
        schools: user.schools,
        createdAt: user.createdAt.toISOString(),
        disabled: user.disabled,
        mfa: user.mfa,
        entraGuest: user.entraGuest,
      };
      write(values.json ? JSON.stringify(row) : `${row.email}\t${row.role}\t${scopeText(user)}\t${row.createdAt}${row.disabled ? '\tdisabled' : ''}`);
    }
  } finally {
    await store.close();
  }
  return 0;
}

async function disable(args: readonly string[], write: Write): Promise<number> {
  return onAccount(
    args,
    write,
    {},
    (store, email, who) => store.users.disable(email, who),
    (email) => ({
      json: { email, disabled: true },
      text: `disabled ${email}: its sessions are ended and it can no longer sign in`,
    }),
  );
}

async function enable(args: readonly string[], write: Write): Promise<number> {
  return onAccount(
    args,
    write,
    {},
    (store, email, who) => store.users.enable(email, who),
    (email) => ({ json: { email, disabled: false }, text: `enabled ${email}: it can sign in again` }),
  );
}

/** The same rules as `add`'s password; every session of the account ends, whoever had the old password. */
async function setPassword(args: readonly string[], write: Write, stdin: Stdin): Promise<number> {
  const options = { 'password-stdin': { type: 'boolean' } } as const;
  const { values, positionals } = parse(args, { ...options, reason: { type: 'string' } });
  onlyEmail(positionals);
  if (!values['password-stdin']) throw new UsageError('the new password is read from standard input: give --password-stdin');
  const passwordHash = await hashPassword(await newPassword(stdin));
  return onAccount(
    args,
    write,
    options,
    (store, email, who) => store.users.setPassword(email, passwordHash, who),
    (email) => ({
      json: { email, passwordReplaced: true },
      text: `replaced the password of ${email}: its sessions are ended and the old password no longer works`,
    }),
  );
}

async function setRole(args: readonly string[], write: Write): Promise<number> {
  const [email, roleText, ...extra] = parse(args, { reason: { type: 'string' } }).positionals;
  if (email === undefined || extra.length > 0) throw new UsageError(`usage: ${USAGE}`);
  const role = roleOf(roleText, 'the role');
  return onAccount(
    args,
    write,
    {},
    (store, login, who) => store.users.setRole(login, role, who),
    (login) => ({ json: { email: login, role }, text: `${login} is now ${role}` }),
    2,
  );
}

async function remove(args: readonly string[], write: Write): Promise<number> {
  return onAccount(
    args,
    write,
    {},
    (store, email, who) => store.users.remove(email, who),
    (email) => ({
      json: { email, removed: true },
      text: `removed ${email}: its sessions and schools are gone; the audit log keeps what it did`,
    }),
  );
}

/** For a lost or replaced phone: the account signs in with its password and sets up an authenticator again. */
async function resetMfa(args: readonly string[], write: Write): Promise<number> {
  return onAccount(
    args,
    write,
    {},
    (store, email, who) => store.users.resetMfa(email, who),
    (email) => ({
      json: { email, mfa: false },
      text: `reset MFA of ${email}: its authenticator and recovery codes are gone, its sessions ended; it sets up a new authenticator at its next sign-in`,
    }),
  );
}

async function setEntraGuest(args: readonly string[], write: Write): Promise<number> {
  const [email, answer, ...extra] = parse(args, { reason: { type: 'string' } }).positionals;
  if (email === undefined || extra.length > 0 || (answer !== 'allow' && answer !== 'refuse')) throw new UsageError(`usage: ${USAGE}`);
  const allowed = answer === 'allow';
  return onAccount(
    args,
    write,
    {},
    (store, login, who) => store.users.setEntraGuest(login, allowed, who),
    (login) => ({
      json: { email: login, entraGuest: allowed },
      text: `${allowed ? 'allowed' : 'refused'} Entra ID guests as ${login}`,
    }),
    2,
  );
}

type Options = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

/**
 * One change to an existing account, made as the operator with `--reason`, and its report: a line of text or
 * one JSON object. An unknown account is bad input (exit 2), in one line.
 */
async function onAccount(
  args: readonly string[],
  write: Write,
  extra: Options,
  apply: (store: Store, email: string, who: AccountChange) => Promise<boolean>,
  report: (email: string) => { json: object; text: string },
  positionalCount = 1,
): Promise<number> {
  const { values, positionals } = parse(args, { ...extra, reason: { type: 'string' } });
  const [given, ...rest] = positionals;
  if (given === undefined || rest.length !== positionalCount - 1) throw new UsageError(`usage: ${USAGE}`);
  const email = given.trim().toLowerCase();
  await inStore(await adminSettings(values), async (store) => {
    if (!(await apply(store, email, change(typeof values.reason === 'string' ? values.reason : undefined))))
      throw new UsageError(`no account ${email}: see hallmonitor users list`);
    const { json, text } = report(email);
    write(values.json ? JSON.stringify(json) : text);
  });
  return 0;
}

function change(reason: string | undefined): AccountChange {
  const why = reason?.trim();
  return { actor: operator(), ...(why ? { reason: why } : {}) };
}

function onlyEmail(positionals: readonly string[]): string {
  const [email, ...extra] = positionals;
  if (email === undefined || extra.length > 0) throw new UsageError(`usage: ${USAGE}`);
  return email;
}

function roleOf(text: string | undefined, what: string): UserRole {
  const role = USER_ROLES.find((each) => each === text);
  if (!role) throw new UsageError(`${what} must be one of ${USER_ROLES.join(', ')}`);
  return role;
}

/**
 * `--school` (repeatable) limits the account to those schools; `--all-schools` gives it the whole trust. With
 * one school (or none configured) the whole trust is that school, so neither means it, as
 * `users add EMAIL --role R --password-stdin` always has; with several, the admin must say which, since
 * guessing either way is wrong for someone. With a configuration that lists its schools, an id not among them is refused: a typo would
 * otherwise make an account that sees nothing.
 */
function schoolScope(ids: readonly string[], allSchools: boolean, config: Config): SchoolScope {
  if (allSchools && ids.length > 0) throw new UsageError('give --school ID (repeatable) or --all-schools, not both');
  const known = config.schools?.map((school) => school.id);
  if (allSchools) return 'all';
  if (ids.length === 0) {
    if (known && known.length > 1)
      throw new UsageError(
        `say which schools the account may see: --school ID (repeatable; the configuration's schools: ${known.join(', ')}), or --all-schools for the whole trust`,
      );
    return 'all';
  }
  for (const id of ids) {
    if (!schoolConfigSchema.shape.id.safeParse(id).success)
      throw new UsageError(`--school ${id}: a school id is lower-case words joined by hyphens, as in the configuration's schools`);
    if (known && !known.includes(id)) throw new UsageError(`--school ${id}: no such school in the configuration (its schools: ${known.join(', ')})`);
  }
  return ids;
}

function scopeText(user: User): string {
  if (user.schools === 'all') return 'all schools';
  return user.schools.length > 0 ? `schools: ${user.schools.join(', ')}` : 'no schools (sees nothing)';
}

/** A new password from standard input, of at least 12 characters. */
async function newPassword(stdin: Stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password.length < MIN_PASSWORD) throw new UsageError(`the password must be at least ${MIN_PASSWORD} characters`);
  return password;
}

function parse<Extra extends Options>(args: readonly string[], extra: Extra) {
  try {
    return parseArgs({ args: [...args], options: { ...ADMIN_OPTIONS, ...extra }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${USAGE}`);
  }
}
