import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { AccountAction } from './audit-entry.js';
import type { AuditLog } from './audit-log.js';
import { StoreError } from './errors.js';
import type { StoreDatabase, UserTable } from './schema.js';

export const USER_ROLES = ['dpo', 'business-manager', 'dsl', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/**
 * The schools an account may see: `'all'` for the trust (every school on the gateway), given explicitly when
 * the account was made; otherwise these school ids. An account with neither sees nothing (an empty list):
 * a missing scope never widens to the trust. The review app limits every query it makes to them.
 */
export type SchoolScope = 'all' | readonly string[];

export interface User {
  /** Lower-cased: the login, and the actor in the audit log. */
  readonly email: string;
  readonly role: UserRole;
  readonly schools: SchoolScope;
  readonly createdAt: Date;
  readonly disabled: boolean;
}

export interface NewUser {
  readonly email: string;
  readonly role: UserRole;
  /** Already hashed (`hashPassword` in src/smtp/password-hash.ts): the store never sees a password. */
  readonly passwordHash: string;
  /** Default `'all'`: the whole trust, stored as an explicit grant. An empty list is refused. */
  readonly schools?: SchoolScope;
  /** Default: now. */
  readonly at?: Date;
}

export interface NewSession {
  /** The secret for the cookie: 256 random bits, base64url. Only its SHA-256 is stored. */
  readonly token: string;
  readonly startedAt: Date;
  readonly expiresAt: Date;
}

export interface SessionLimits {
  /** A session unused this long ends (default 30 minutes). */
  readonly idleMs: number;
  /** A session ends this long after sign-in, however busy (default 12 hours). */
  readonly absoluteMs: number;
}

export const SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };

/** Who changes an account, and why: written to the audit log in the change's own transaction. */
export interface AccountChange {
  /** The admin's login in the review app, `cli:<os user>` from the command line. */
  readonly actor: string;
  /** Why, as the person wrote it; optional from the command line, required in the review app. */
  readonly reason?: string;
  /** Default: now. */
  readonly at?: Date;
}

/**
 * The school id of an account's audit entries: accounts belong to the trust, not to one school, and `*` is
 * no school's id (ids are lower-case words joined by hyphens), so it cannot be mistaken for one.
 */
export const TRUST_AUDIT_SCHOOL = '*';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}$/;
const MAX_SCHOOL_ID = 100;

/** The review app's accounts and signed-in sessions. */
export class UserDirectory {
  constructor(
    private readonly db: Kysely<StoreDatabase>,
    private readonly audit: AuditLog,
    private readonly limits: SessionLimits = SESSION_LIMITS,
  ) {}

  /**
   * Adds an account with its school scope, in one transaction (with its audit entry when `change` says who);
   * `invalid-record` for an unusable address, role or school list, or an address already taken.
   */
  async add(user: NewUser, change?: AccountChange): Promise<User> {
    const email = user.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw new StoreError('invalid-record', 'a user needs an email address as their login');
    roleOf(user.role);
    const schools = scopeOf(user.schools ?? 'all');
    const at = user.at ?? new Date();
    const row: UserTable = { email, role: user.role, password_hash: user.passwordHash, created_at: at.toISOString(), disabled_at: null, all_schools: schools === 'all' ? 1 : 0 };
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('users').values(row).onConflict((conflict) => conflict.column('email').doNothing()).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new StoreError('invalid-record', 'a user with that address already exists');
      if (schools !== 'all') await trx.insertInto('user_schools').values(schools.map((school_id) => ({ email, school_id }))).execute();
      if (change) await this.#audit(trx, 'account-add', email, `${user.role}, ${schools === 'all' ? 'all schools' : schools.join(', ')}`, { at, ...change });
      return userOf(row, schools);
    });
  }

  /** The account with that login, or undefined. */
  async find(email: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    return row ? userOf(row, await this.#schoolsOf(row)) : undefined;
  }

  /** Disables an account and ends its sessions at once, audited. Returns false for an unknown address. */
  async disable(email: string, change: AccountChange): Promise<boolean> {
    const at = change.at ?? new Date();
    return this.#change(email, 'account-disable', 'disabled', change, async (trx, login) => {
      await trx.updateTable('users').set({ disabled_at: at.toISOString() }).where('email', '=', login).execute();
      await trx.deleteFrom('sessions').where('email', '=', login).execute();
    });
  }

  /** Lets a disabled account sign in again (its old sessions stay ended), audited. False for an unknown address. */
  async enable(email: string, change: AccountChange): Promise<boolean> {
    return this.#change(email, 'account-enable', 'enabled', change, async (trx, login) => {
      await trx.updateTable('users').set({ disabled_at: null }).where('email', '=', login).execute();
    });
  }

  /**
   * Replaces the password hash and ends every session of the account, so whoever knew the old password is
   * signed out too; audited (the hash is not). False for an unknown address.
   */
  async setPassword(email: string, passwordHash: string, change: AccountChange): Promise<boolean> {
    return this.#change(email, 'account-password', 'password replaced, sessions ended', change, async (trx, login) => {
      await trx.updateTable('users').set({ password_hash: passwordHash }).where('email', '=', login).execute();
      await trx.deleteFrom('sessions').where('email', '=', login).execute();
    });
  }

  /** Gives the account another role, from its next request on; audited with both roles. False for an unknown address. */
  async setRole(email: string, role: UserRole, change: AccountChange): Promise<boolean> {
    roleOf(role);
    const login = email.trim().toLowerCase();
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('users').select('role').where('email', '=', login).executeTakeFirst();
      if (!row) return false;
      await trx.updateTable('users').set({ role }).where('email', '=', login).execute();
      await this.#audit(trx, 'account-role', login, `role ${row.role} → ${role}`, change);
      return true;
    });
  }

  /**
   * Removes the account with its sessions and school scope. The audit log keeps every entry it wrote, under
   * its login, and this one. False for an unknown address.
   */
  async remove(email: string, change: AccountChange): Promise<boolean> {
    return this.#change(email, 'account-remove', 'removed', change, async (trx, login) => {
      await trx.deleteFrom('sessions').where('email', '=', login).execute();
      await trx.deleteFrom('user_schools').where('email', '=', login).execute();
      await trx.deleteFrom('users').where('email', '=', login).execute();
    });
  }

  async list(): Promise<User[]> {
    const [rows, scoped] = await Promise.all([
      this.db.selectFrom('users').selectAll().orderBy('email').execute(),
      this.db.selectFrom('user_schools').selectAll().orderBy('school_id').execute(),
    ]);
    const schools = new Map<string, string[]>();
    for (const { email, school_id } of scoped) schools.set(email, [...(schools.get(email) ?? []), school_id]);
    return rows.map((row) => userOf(row, row.all_schools === 1 ? 'all' : (schools.get(row.email) ?? [])));
  }

  /** The account and its password hash, for signing in; undefined for an unknown address. */
  async credentials(email: string): Promise<{ user: User; passwordHash: string } | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    return row ? { user: userOf(row, await this.#schoolsOf(row)), passwordHash: row.password_hash } : undefined;
  }

  /** Starts a session for a signed-in user; the token goes in the cookie and nowhere else. */
  async startSession(email: string, now: Date = new Date()): Promise<NewSession> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.limits.absoluteMs);
    await this.db
      .insertInto('sessions')
      .values({ id_hash: hashToken(token), email: email.toLowerCase(), created_at: now.toISOString(), expires_at: expiresAt.toISOString(), last_seen_at: now.toISOString() })
      .execute();
    return { token, startedAt: now, expiresAt };
  }

  /**
   * The user behind a session token, marking it seen; undefined (and the session deleted) once it is past its
   * idle or absolute end, or its user is disabled.
   */
  async resume(token: string, now: Date = new Date()): Promise<User | undefined> {
    const idHash = hashToken(token);
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.email', 'sessions.email')
      .selectAll('users')
      .select(['sessions.expires_at', 'sessions.last_seen_at'])
      .where('sessions.id_hash', '=', idHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const idleEnd = new Date(row.last_seen_at).getTime() + this.limits.idleMs;
    if (row.disabled_at !== null || now.getTime() >= new Date(row.expires_at).getTime() || now.getTime() >= idleEnd) {
      await this.endSession(token);
      return undefined;
    }
    const [schools] = await Promise.all([this.#schoolsOf(row), this.db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('id_hash', '=', idHash).execute()]);
    return userOf(row, schools);
  }

  async endSession(token: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', hashToken(token)).execute();
  }

  /** Deletes sessions past their absolute end; idle ones go when next presented. Returns how many. */
  async pruneSessions(now: Date = new Date()): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('expires_at', '<=', now.toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** The trust only when granted explicitly; otherwise the account's rows, and none sees nothing. */
  async #schoolsOf(row: Pick<UserTable, 'email' | 'all_schools'>): Promise<SchoolScope> {
    if (row.all_schools === 1) return 'all';
    const rows = await this.db.selectFrom('user_schools').select('school_id').where('email', '=', row.email).orderBy('school_id').execute();
    return rows.map((each) => each.school_id);
  }

  /** Runs `apply` on an existing account and audits it as `action`, in one transaction; false when there is no such account. */
  async #change(email: string, action: AccountAction, what: string, change: AccountChange, apply: (trx: Transaction<StoreDatabase>, login: string) => Promise<void>): Promise<boolean> {
    const login = email.trim().toLowerCase();
    return this.db.transaction().execute(async (trx) => {
      const exists = await trx.selectFrom('users').select('email').where('email', '=', login).executeTakeFirst();
      if (!exists) return false;
      await apply(trx, login);
      await this.#audit(trx, action, login, what, change);
      return true;
    });
  }

  /**
   * The audit entry of an account change: the account and what changed lead the reason, then the person's own
   * words; never a password or its hash.
   */
  async #audit(trx: Transaction<StoreDatabase>, action: AccountAction, login: string, what: string, change: AccountChange): Promise<void> {
    const why = change.reason?.trim();
    await this.audit.appendWithin(trx, { kind: 'human', schoolId: TRUST_AUDIT_SCHOOL, actor: change.actor, action, reason: `account ${login}: ${what}${why ? `. Reason: ${why}` : ''}`, ...(change.at ? { at: change.at } : {}) });
  }
}

function roleOf(role: string): UserRole {
  const known = USER_ROLES.find((each) => each === role);
  if (!known) throw new StoreError('invalid-record', `the role must be one of ${USER_ROLES.join(', ')}`);
  return known;
}

/** The scope as stored: `'all'`, or each school once, sorted. An empty list would see nothing: refused. */
function scopeOf(schools: SchoolScope): SchoolScope {
  if (schools === 'all') return 'all';
  const ids = [...new Set(schools.map((id) => id.trim()))].sort();
  if (ids.length === 0 || ids.some((id) => id === '' || id.length > MAX_SCHOOL_ID)) throw new StoreError('invalid-record', "a user's schools are school ids, at least one, or 'all' for the whole trust");
  return ids;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function userOf(row: UserTable, schools: SchoolScope): User {
  return { email: row.email, role: row.role as UserRole, schools, createdAt: new Date(row.created_at), disabled: row.disabled_at !== null };
}
