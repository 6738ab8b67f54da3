import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { StoreError } from './errors.js';
import type { StoreDatabase, UserTable } from './schema.js';

export const USER_ROLES = ['dpo', 'business-manager', 'dsl', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/**
 * The schools an account may see: `'all'` for the trust (every school on the gateway), otherwise these
 * school ids, never an empty list. The review app limits every query it makes to them.
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
  /** Default `'all'`: the whole trust. */
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

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}$/;
const MAX_SCHOOL_ID = 100;

/** The review app's accounts and signed-in sessions. */
export class UserDirectory {
  constructor(
    private readonly db: Kysely<StoreDatabase>,
    private readonly limits: SessionLimits = SESSION_LIMITS,
  ) {}

  /**
   * Adds an account with its school scope, in one transaction; `invalid-record` for an unusable address, role
   * or school list, or an address already taken.
   */
  async add(user: NewUser): Promise<User> {
    const email = user.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw new StoreError('invalid-record', 'a user needs an email address as their login');
    if (!(USER_ROLES as readonly string[]).includes(user.role)) throw new StoreError('invalid-record', `the role must be one of ${USER_ROLES.join(', ')}`);
    const schools = scopeOf(user.schools ?? 'all');
    const row: UserTable = { email, role: user.role, password_hash: user.passwordHash, created_at: (user.at ?? new Date()).toISOString(), disabled_at: null };
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('users').values(row).onConflict((conflict) => conflict.column('email').doNothing()).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new StoreError('invalid-record', 'a user with that address already exists');
      if (schools !== 'all') await trx.insertInto('user_schools').values(schools.map((school_id) => ({ email, school_id }))).execute();
      return userOf(row, schools);
    });
  }

  async list(): Promise<User[]> {
    const [rows, scoped] = await Promise.all([
      this.db.selectFrom('users').selectAll().orderBy('email').execute(),
      this.db.selectFrom('user_schools').selectAll().orderBy('school_id').execute(),
    ]);
    const schools = new Map<string, string[]>();
    for (const { email, school_id } of scoped) schools.set(email, [...(schools.get(email) ?? []), school_id]);
    return rows.map((row) => userOf(row, schools.get(row.email) ?? 'all'));
  }

  /** The account and its password hash, for signing in; undefined for an unknown address. */
  async credentials(email: string): Promise<{ user: User; passwordHash: string } | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    return row ? { user: userOf(row, await this.#schoolsOf(row.email)), passwordHash: row.password_hash } : undefined;
  }

  /** Disables an account and ends its sessions at once. Returns false for an unknown address. */
  async disable(email: string, at: Date = new Date()): Promise<boolean> {
    const login = email.trim().toLowerCase();
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('users').set({ disabled_at: at.toISOString() }).where('email', '=', login).executeTakeFirst();
      await trx.deleteFrom('sessions').where('email', '=', login).execute();
      return Number(updated.numUpdatedRows) > 0;
    });
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
    const [schools] = await Promise.all([this.#schoolsOf(row.email), this.db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('id_hash', '=', idHash).execute()]);
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

  async #schoolsOf(email: string): Promise<SchoolScope> {
    const rows = await this.db.selectFrom('user_schools').select('school_id').where('email', '=', email).orderBy('school_id').execute();
    return rows.length === 0 ? 'all' : rows.map((row) => row.school_id);
  }
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
