import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { AccountAction } from './audit-entry.js';
import type { AuditLog } from './audit-log.js';
import type { BodyCipher } from './body-cipher.js';
import { StoreError } from './errors.js';
import type { StoreDatabase, UserTable } from './schema.js';

export const USER_ROLES = ['dpo', 'business-manager', 'dsl', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** The roles that see held mail or manage accounts: a password alone does not sign them in (a TOTP code is due too). */
export const MFA_ROLES: readonly UserRole[] = ['dpo', 'dsl', 'admin'];

/** The people alerts and digests go to: every notified role but the sender, who gets notices instead. */
export const ALERT_ROLES = ['business-manager', 'dpo', 'dsl'] as const satisfies readonly UserRole[];
export type AlertRole = (typeof ALERT_ROLES)[number];

/**
 * How far a session has got: `complete`, or, after a right password, `second-factor` (a code is due) or `enrol`
 * (the account must set up MFA first). Only a complete session reaches the app's pages.
 */
export const SESSION_STAGES = ['complete', 'second-factor', 'enrol'] as const;
export type SessionStage = (typeof SESSION_STAGES)[number];

/** How many recovery codes an enrolment gives; each works once. */
export const RECOVERY_CODE_COUNT = 10;

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
  /** A TOTP authenticator is enrolled. */
  readonly mfa: boolean;
  /** The account is bound to an Entra ID object (its first Microsoft sign-in). */
  readonly entraBound: boolean;
  /** A guest of the Entra ID tenant may sign in as this account. */
  readonly entraGuest: boolean;
}

/** The signed-in account behind a session, and how far the session has got. */
export interface SessionUser extends User {
  readonly stage: SessionStage;
}

/** What the second factor is checked against: the TOTP secret opened, and the last time step accepted. */
export interface TotpState {
  /** Base32, as the authenticator app holds it. */
  readonly secret: string;
  readonly enrolled: boolean;
  readonly lastStep: number | undefined;
}

export interface NewUser {
  readonly email: string;
  readonly role: UserRole;
  /** Already hashed (`hashPassword` in src/smtp/password-hash.ts): the store never sees a password. */
  readonly passwordHash: string;
  /** Default `'all'`: the whole trust, stored as an explicit grant. An empty list is refused. */
  readonly schools?: SchoolScope;
  /** A guest of the Entra ID tenant may sign in as this account (default: guests are refused). */
  readonly entraGuest?: boolean;
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
    /** Seals the TOTP secrets, bound to their account (the store's key; body-cipher.ts). */
    private readonly cipher: BodyCipher,
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
    const row: UserTable = {
      email,
      role: user.role,
      password_hash: user.passwordHash,
      created_at: at.toISOString(),
      disabled_at: null,
      all_schools: schools === 'all' ? 1 : 0,
      mfa_secret: null,
      mfa_enrolled_at: null,
      mfa_last_step: null,
      entra_tid: null,
      entra_oid: null,
      entra_guest: user.entraGuest ? 1 : 0,
    };
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('users')
        .values(row)
        .onConflict((conflict) => conflict.column('email').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new StoreError('invalid-record', 'a user with that address already exists');
      if (schools !== 'all')
        await trx
          .insertInto('user_schools')
          .values(schools.map((school_id) => ({ email, school_id })))
          .execute();
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
      const row = await trx.selectFrom('users').select(['role', 'mfa_enrolled_at']).where('email', '=', login).executeTakeFirst();
      if (!row) return false;
      await trx.updateTable('users').set({ role }).where('email', '=', login).execute();
      // A session signed in with a password alone must not carry a role that needs a second factor.
      const endsSessions = MFA_ROLES.includes(role) && row.mfa_enrolled_at === null;
      if (endsSessions) await trx.deleteFrom('sessions').where('email', '=', login).execute();
      await this.#audit(trx, 'account-role', login, `role ${row.role} → ${role}${endsSessions ? ', sessions ended until MFA is enrolled' : ''}`, change);
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
      await trx.deleteFrom('recovery_codes').where('email', '=', login).execute();
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

  /**
   * Replaces the password's hash with one at today's cost after a sign-in proved the password, audited as the
   * account's own; only while the stored hash is still `oldHash`, so a replacement made meanwhile is kept.
   */
  async upgradePasswordHash(email: string, oldHash: string, newHash: string, at: Date = new Date()): Promise<boolean> {
    const login = email.trim().toLowerCase();
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('users').set({ password_hash: newHash }).where('email', '=', login).where('password_hash', '=', oldHash).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await this.#audit(trx, 'account-password-upgrade', login, "password hash upgraded to today's cost", { actor: login, at });
      return true;
    });
  }

  /**
   * Starts a session for a user whose password (or Entra ID) was accepted; the token goes in the cookie and
   * nowhere else. `stage` says what sign-in still needs (default: nothing).
   */
  async startSession(email: string, now: Date = new Date(), stage: SessionStage = 'complete'): Promise<NewSession> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.limits.absoluteMs);
    await this.db
      .insertInto('sessions')
      .values({ id_hash: hashToken(token), email: email.toLowerCase(), created_at: now.toISOString(), expires_at: expiresAt.toISOString(), last_seen_at: now.toISOString(), stage })
      .execute();
    return { token, startedAt: now, expiresAt };
  }

  /**
   * Ends a session part-way through sign-in and starts a complete one for its account: a new id once the second
   * factor is proved, so an id seen before then is worth nothing. Undefined when the session has ended meanwhile.
   */
  async completeSession(token: string, now: Date = new Date()): Promise<NewSession | undefined> {
    const row = await this.db.deleteFrom('sessions').where('id_hash', '=', hashToken(token)).returning('email').executeTakeFirst();
    return row ? this.startSession(row.email, now) : undefined;
  }

  /** The account a sign-in with Entra ID names by its tenant and object id, or undefined. */
  async findByEntraObject(tenantId: string, objectId: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('entra_tid', '=', tenantId.toLowerCase()).where('entra_oid', '=', objectId.toLowerCase()).executeTakeFirst();
    return row ? userOf(row, await this.#schoolsOf(row)) : undefined;
  }

  /**
   * Binds an account not yet bound to an Entra ID object, at its first Microsoft sign-in, audited as the
   * account's own; false when it is bound already or the object is bound to another account.
   */
  async bindEntraObject(email: string, tenantId: string, objectId: string, at: Date = new Date()): Promise<boolean> {
    const login = email.trim().toLowerCase();
    try {
      return await this.db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('users')
          .set({ entra_tid: tenantId.toLowerCase(), entra_oid: objectId.toLowerCase() })
          .where('email', '=', login)
          .where('entra_oid', 'is', null)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return false;
        await this.#audit(trx, 'account-entra-bind', login, `bound to Entra ID object ${objectId.toLowerCase()} of tenant ${tenantId.toLowerCase()}`, { actor: login, at });
        return true;
      });
    } catch (error) {
      // The unique index on (tenant, object): another account holds this object already.
      if (/unique|duplicate/i.test(String((error as Error).message))) return false;
      throw error;
    }
  }

  /** Lets guests of the Entra ID tenant sign in as this account, or stops them; audited. False for an unknown address. */
  async setEntraGuest(email: string, allowed: boolean, change: AccountChange): Promise<boolean> {
    return this.#change(email, 'account-entra-guest', allowed ? 'Entra ID guests allowed' : 'Entra ID guests refused', change, async (trx, login) => {
      await trx
        .updateTable('users')
        .set({ entra_guest: allowed ? 1 : 0 })
        .where('email', '=', login)
        .execute();
    });
  }

  /** The TOTP secret and last accepted step of an account, opened; undefined when none is set. */
  async totpState(email: string): Promise<TotpState | undefined> {
    const login = email.trim().toLowerCase();
    const row = await this.db.selectFrom('users').select(['mfa_secret', 'mfa_enrolled_at', 'mfa_last_step']).where('email', '=', login).executeTakeFirst();
    if (!row?.mfa_secret) return undefined;
    const secret = this.cipher.open(Buffer.from(row.mfa_secret), mfaSealedFor(login)).toString('utf8');
    return { secret, enrolled: row.mfa_enrolled_at !== null, lastStep: row.mfa_last_step === null ? undefined : Number(row.mfa_last_step) };
  }

  /**
   * The secret an account is enrolling with: the one already begun, else `fresh()`, sealed and kept, so the QR
   * code a person scanned stays valid if they reload the page. Refused once an authenticator is enrolled.
   */
  async enrolmentSecret(email: string, fresh: () => string): Promise<string> {
    const login = email.trim().toLowerCase();
    const state = await this.totpState(login);
    if (state?.enrolled) throw new StoreError('invalid-record', 'this account has an authenticator enrolled already');
    if (state) return state.secret;
    const secret = fresh();
    await this.db
      .updateTable('users')
      .set({ mfa_secret: this.cipher.seal(Buffer.from(secret, 'utf8'), mfaSealedFor(login)) })
      .where('email', '=', login)
      .where('mfa_secret', 'is', null)
      .execute();
    // Two tabs enrolling at once: both show the secret that was kept.
    return (await this.totpState(login))?.secret ?? secret;
  }

  /**
   * Records that a TOTP code of time step `step` was accepted, only when no code of that step or a later one was
   * (RFC 6238 §5.2: a code is good once); one conditional update, so two processes cannot both accept it.
   */
  async acceptTotpStep(email: string, step: number): Promise<boolean> {
    const updated = await this.db
      .updateTable('users')
      .set({ mfa_last_step: step })
      .where('email', '=', email.trim().toLowerCase())
      .where('mfa_enrolled_at', 'is not', null)
      .where((where) => where.or([where('mfa_last_step', 'is', null), where('mfa_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  /**
   * Finishes enrolment once a first code (of time step `step`) proved the authenticator holds the secret: the
   * account is enrolled and gets its recovery codes, returned this once (only their hashes are kept); audited.
   */
  async finishEnrolment(email: string, step: number, at: Date = new Date()): Promise<string[] | undefined> {
    const login = email.trim().toLowerCase();
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('users')
        .set({ mfa_enrolled_at: at.toISOString(), mfa_last_step: step })
        .where('email', '=', login)
        .where('mfa_secret', 'is not', null)
        .where('mfa_enrolled_at', 'is', null)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return undefined;
      await trx.deleteFrom('recovery_codes').where('email', '=', login).execute();
      await trx
        .insertInto('recovery_codes')
        .values(codes.map((code) => ({ email: login, code_hash: hashRecoveryCode(code), used_at: null })))
        .execute();
      await this.#audit(trx, 'account-mfa-enrol', login, `authenticator enrolled, ${RECOVERY_CODE_COUNT} recovery codes issued`, { actor: login, at });
      return codes;
    });
  }

  /** Spends a recovery code in place of a TOTP code: true once per code; audited with how many are left. */
  async useRecoveryCode(email: string, code: string, at: Date = new Date()): Promise<boolean> {
    const login = email.trim().toLowerCase();
    return this.db.transaction().execute(async (trx) => {
      const used = await trx
        .updateTable('recovery_codes')
        .set({ used_at: at.toISOString() })
        .where('email', '=', login)
        .where('code_hash', '=', hashRecoveryCode(code))
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) === 0) return false;
      const left = await trx
        .selectFrom('recovery_codes')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('email', '=', login)
        .where('used_at', 'is', null)
        .executeTakeFirstOrThrow();
      await this.#audit(trx, 'account-mfa-recovery-code', login, `signed in with a recovery code, ${Number(left.count)} left`, { actor: login, at });
      return true;
    });
  }

  /**
   * Removes the account's authenticator and recovery codes and ends its sessions: its next password sign-in
   * enrols anew (for a lost phone). Audited; false for an unknown address.
   */
  async resetMfa(email: string, change: AccountChange): Promise<boolean> {
    return this.#change(email, 'account-mfa-reset', 'MFA reset, sessions ended', change, async (trx, login) => {
      await trx.updateTable('users').set({ mfa_secret: null, mfa_enrolled_at: null, mfa_last_step: null }).where('email', '=', login).execute();
      await trx.deleteFrom('recovery_codes').where('email', '=', login).execute();
      await trx.deleteFrom('sessions').where('email', '=', login).execute();
    });
  }

  /**
   * The user behind a session token, marking it seen; undefined (and the session deleted) once it is past its
   * idle or absolute end, or its user is disabled.
   */
  async resume(token: string, now: Date = new Date()): Promise<SessionUser | undefined> {
    const idHash = hashToken(token);
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.email', 'sessions.email')
      .selectAll('users')
      .select(['sessions.expires_at', 'sessions.last_seen_at', 'sessions.stage'])
      .where('sessions.id_hash', '=', idHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const idleEnd = new Date(row.last_seen_at).getTime() + this.limits.idleMs;
    if (row.disabled_at !== null || now.getTime() >= new Date(row.expires_at).getTime() || now.getTime() >= idleEnd) {
      await this.endSession(token);
      return undefined;
    }
    const [schools] = await Promise.all([this.#schoolsOf(row), this.db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('id_hash', '=', idHash).execute()]);
    return { ...userOf(row, schools), stage: stageOf(row.stage) };
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
  async #change(
    email: string,
    action: AccountAction,
    what: string,
    change: AccountChange,
    apply: (trx: Transaction<StoreDatabase>, login: string) => Promise<void>,
  ): Promise<boolean> {
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
    await this.audit.appendWithin(trx, {
      kind: 'human',
      schoolId: TRUST_AUDIT_SCHOOL,
      actor: change.actor,
      action,
      reason: `account ${login}: ${what}${why ? `. Reason: ${why}` : ''}`,
      ...(change.at ? { at: change.at } : {}),
    });
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
  if (ids.length === 0 || ids.some((id) => id === '' || id.length > MAX_SCHOOL_ID))
    throw new StoreError('invalid-record', "a user's schools are school ids, at least one, or 'all' for the whole trust");
  return ids;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The associated data of a sealed TOTP secret: it opens only on its own account's row. */
function mfaSealedFor(login: string): string {
  return `user-mfa:${login}`;
}

/** 80 random bits as four groups of four base32 letters and digits, e.g. `k7qd-2mxa-p4rt-9wbe`: easy to type, impossible to guess. */
function newRecoveryCode(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const letters = [...randomBytes(16)].map((byte) => alphabet[byte % alphabet.length]).join('');
  return letters.match(/.{4}/g)!.join('-');
}

/** Codes are random and long, so a plain SHA-256 keeps them from being read back; spaces, hyphens and case do not matter. */
function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(code.toLowerCase().replace(/[\s-]/g, '')).digest('hex');
}

function stageOf(stage: string): SessionStage {
  return SESSION_STAGES.find((each) => each === stage) ?? 'enrol';
}

function userOf(row: UserTable, schools: SchoolScope): User {
  return {
    email: row.email,
    role: row.role as UserRole,
    schools,
    createdAt: new Date(row.created_at),
    disabled: row.disabled_at !== null,
    mfa: row.mfa_enrolled_at !== null,
    entraBound: row.entra_oid !== null,
    entraGuest: row.entra_guest === 1,
  };
}
