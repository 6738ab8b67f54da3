import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Config } from '../config/config.js';
import { schoolConfigSchema } from '../config/schools-config.js';
import { hashPassword } from '../smtp/password-hash.js';
import { openConfiguredStore } from '../store/configured-store.js';
import { StoreError } from '../store/errors.js';
import { USER_ROLES, type SchoolScope, type User, type UserRole } from '../store/user-directory.js';
import { ADMIN_OPTIONS, adminSettings } from './admin-settings.js';
import { UsageError } from './usage-error.js';

const USAGE = `hallmonitor users add EMAIL --role ${USER_ROLES.join('|')} --password-stdin|--entra [--school ID ...] [--config F] [--data D] [--json] | users list [--json]`;
const MIN_PASSWORD = 12;

/** `hallmonitor users …` (CONTRACTS.md §4): the review app's local accounts. */
export async function runUsers(args: readonly string[], write: (line: string) => void, stdin: AsyncIterable<Buffer> = process.stdin as AsyncIterable<Buffer>): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'add') return add(rest, write, stdin);
  if (subcommand === 'list') return list(rest, write);
  throw new UsageError(`usage: ${USAGE}`);
}

/** The password comes on standard input, so it never appears in a process list or shell history. */
async function add(args: readonly string[], write: (line: string) => void, stdin: AsyncIterable<Buffer>): Promise<number> {
  const { values, positionals } = parse(args, { role: { type: 'string' }, 'password-stdin': { type: 'boolean' }, entra: { type: 'boolean' }, school: { type: 'string', multiple: true } });
  const [email, ...extra] = positionals;
  if (email === undefined || extra.length > 0) throw new UsageError(`usage: ${USAGE}`);
  if (!values.role || !(USER_ROLES as readonly string[]).includes(values.role)) throw new UsageError(`--role must be one of ${USER_ROLES.join(', ')}`);
  if (!values['password-stdin'] === !values.entra) throw new UsageError('the password is read from standard input: give --password-stdin, or --entra for an account that signs in only with Microsoft Entra ID');
  const settings = await adminSettings(values);
  const schools = schoolScope(values.school ?? [], settings);
  // An Entra ID-only account gets a random password that nobody is ever told (src/web/README.md).
  const password = values.entra ? randomBytes(32).toString('base64url') : await readPassword(stdin);
  if (password.length < MIN_PASSWORD) throw new UsageError(`the password must be at least ${MIN_PASSWORD} characters`);
  const store = await openConfiguredStore(settings);
  try {
    const user = await store.users.add({ email, role: values.role as UserRole, passwordHash: await hashPassword(password), schools });
    // A trust-wide account prints exactly what it did before schools existed (CONTRACTS.md §4).
    if (values.json) write(JSON.stringify({ email: user.email, role: user.role, ...(user.schools === 'all' ? {} : { schools: user.schools }) }));
    else write(`added ${user.email} as ${user.role}${user.schools === 'all' ? '' : ` for ${user.schools.join(', ')}`}`);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'invalid-record') throw new UsageError(error.message);
    throw error;
  } finally {
    await store.close();
  }
  return 0;
}

async function list(args: readonly string[], write: (line: string) => void): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (positionals.length > 0) throw new UsageError(`usage: ${USAGE}`);
  const store = await openConfiguredStore(await adminSettings(values));
  try {
    for (const user of await store.users.list()) {
      const row = { email: user.email, role: user.role, schools: user.schools, createdAt: user.createdAt.toISOString(), disabled: user.disabled };
      write(values.json ? JSON.stringify(row) : `${row.email}\t${row.role}\t${scopeText(user)}\t${row.createdAt}${row.disabled ? '\tdisabled' : ''}`);
    }
  } finally {
    await store.close();
  }
  return 0;
}

/**
 * `--school` given (repeatable) limits the account to those schools; none gives it the whole trust. With a
 * configuration that lists its schools, an id not among them is refused: a typo would otherwise make an
 * account that sees nothing.
 */
function schoolScope(ids: readonly string[], config: Config): SchoolScope {
  if (ids.length === 0) return 'all';
  const known = config.schools?.map((school) => school.id);
  for (const id of ids) {
    if (!schoolConfigSchema.shape.id.safeParse(id).success) throw new UsageError(`--school ${id}: a school id is lower-case words joined by hyphens, as in the configuration's schools`);
    if (known && !known.includes(id)) throw new UsageError(`--school ${id}: no such school in the configuration (its schools: ${known.join(', ')})`);
  }
  return ids;
}

function scopeText(user: User): string {
  return user.schools === 'all' ? 'all schools' : `schools: ${user.schools.join(', ')}`;
}

async function readPassword(stdin: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function parse<Extra extends Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>>(args: readonly string[], extra: Extra) {
  try {
    return parseArgs({ args: [...args], options: { ...ADMIN_OPTIONS, ...extra }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${USAGE}`);
  }
}
