import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, sql, SqliteDialect, type Dialect } from 'kysely';
import pg from 'pg';
import { ActivityLog } from './activity-log.js';
import { AlertInbox } from './alert-inbox.js';
import { FalsePositives } from './false-positives.js';
import type { ChainKey } from './audit-chain.js';
import { AuditAnchor, auditAnchorFile } from './audit-anchor.js';
import { AuditLog } from './audit-log.js';
import { BodyCipher, type VersionedKey } from './body-cipher.js';
import { StoreError } from './errors.js';
import { IncidentRegister } from './incident-register.js';
import { storeMigrations, type Engine } from './migrations.js';
import { OwnSchemaPostgresDialect } from './own-schema-dialect.js';
import { QuarantineStore } from './quarantine-store.js';
import { ReturnedStore } from './returned-store.js';
import { SenderLinks } from './sender-links.js';
import { withStatementCache } from './statement-cache.js';
import { loadOrCreateKeyFile, parseQuarantineKey } from './quarantine-key.js';
import type { StoreDatabase } from './schema.js';
import type { Store } from './store.js';
import { UserDirectory } from './user-directory.js';

export interface StoreOptions {
  /**
   * The data directory: the SQLite file `hallmonitor.sqlite`, the audit chain's head anchored outside the
   * database (`keys/audit-head.json`) and, without `key`, the key file `keys/quarantine.key`.
   */
  readonly dataDir: string;
  /** `postgres://…` or `postgresql://…`: keep the records in PostgreSQL instead of SQLite. */
  readonly databaseUrl?: string;
  /** PostgreSQL only: the schema for the tables, created when missing. Default: the role's `search_path`. */
  readonly schema?: string;
  /**
   * The quarantine key: 32 bytes, or their base64 or hex spelling. Default: the key file, created at first
   * start. Several gateways sharing one PostgreSQL must be configured with the same key.
   */
  readonly key?: Buffer | string;
  /** The version byte of `key` (1–255, default 1); raise it when rotating. */
  readonly keyVersion?: number;
  /** Earlier keys, kept only to open the records they sealed until retention destroys them. */
  readonly retiredKeys?: readonly { readonly version: number; readonly key: Buffer | string }[];
  /** PostgreSQL pool size (default 10). */
  readonly maxConnections?: number;
}

const SQLITE_FILE = 'hallmonitor.sqlite';
const KEY_CHECK_TEXT = 'hallmonitor quarantine key check';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens the store and runs its migrations: SQLite under `dataDir` unless `databaseUrl` names a
 * PostgreSQL database. Refuses to start (`StoreError`, disposition `config`) on an unsafe key file, a
 * key that does not open what this database holds, or a bad URL.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const cipher = await buildCipher(options);
  const { engine, dialect } = await dialectFor(options);
  const db = new Kysely<StoreDatabase>({ dialect });
  let keyed: { chain: ChainKey; problem?: string };
  try {
    if (engine === 'postgres' && options.schema) await createSchema(db, options.schema);
    await migrate(db, engine, options.schema);
    await checkKeys(db, cipher);
    keyed = await AuditLog.keyChain(db, chainKey(cipher, cipher.currentVersion)!, (version) => chainKey(cipher, version));
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const audit = new AuditLog(db, keyed.chain, keyed.problem, new AuditAnchor(auditAnchorFile(options.dataDir)));
  // The first start anchors the chain as it stands; later starts move the anchor only if the chain still holds it.
  await audit.anchorHead();
  let closing: Promise<void> | undefined;
  return {
    engine,
    audit,
    quarantine: new QuarantineStore(db, cipher, audit),
    incidents: new IncidentRegister(db),
    users: new UserDirectory(db, audit, cipher),
    alertInbox: new AlertInbox(db, audit),
    returned: new ReturnedStore(db, cipher, audit),
    activity: new ActivityLog(db),
    falsePositives: new FalsePositives(db, audit),
    // Derived from the store key like the audit chain's, so a link outlives a key rotation while that version is configured.
    senderLinks: new SenderLinks((version) => cipher.derive('sender links v1', version), cipher.currentVersion),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close() {
      // Once: a second close must not query the closed pool (pg waits for good for a connection it will never give).
      closing ??= (async () => {
        await audit.anchorHead(true);
        await db.destroy();
      })();
      return closing;
    },
  };
}

/** The audit chain's HMAC key for a store key version: derived, never the quarantine key itself. */
function chainKey(cipher: BodyCipher, version: number): ChainKey | undefined {
  const key = cipher.derive('audit chain v1', version);
  return key ? { scheme: 'hmac-sha256', version, key } : undefined;
}

async function buildCipher(options: StoreOptions): Promise<BodyCipher> {
  const current: VersionedKey = {
    version: options.keyVersion ?? 1,
    key: options.key === undefined ? await loadOrCreateKeyFile(options.dataDir) : parseQuarantineKey(options.key),
  };
  const retired = (options.retiredKeys ?? []).map(({ version, key }) => ({ version, key: parseQuarantineKey(key) }));
  return new BodyCipher(current, retired);
}

async function dialectFor(options: StoreOptions): Promise<{ engine: Engine; dialect: Dialect }> {
  if (options.databaseUrl === undefined) {
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
    const database = new Database(path.join(options.dataDir, SQLITE_FILE));
    // WAL with synchronous=FULL: a commit returns only once it is on disk, the condition for the 250.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 10000');
    // Deleted pages are overwritten with zeros, so destroyed ciphertext does not linger in free pages.
    database.pragma('secure_delete = ON');
    return { engine: 'sqlite', dialect: new SqliteDialect({ database: withStatementCache(database) }) };
  }
  if (!/^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    throw new StoreError('database-url', 'the database URL must start with postgres:// or postgresql://');
  }
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new StoreError('database-url', 'the PostgreSQL schema must be a lower-case identifier');
  }
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle connection that drops must not crash the gateway: the next query fails instead, and its caller answers 451.
  pool.on('error', () => undefined);
  return { engine: 'postgres', dialect: new OwnSchemaPostgresDialect({ pool }) };
}

/** IF NOT EXISTS still races when gateways start together on a fresh database; the loser finds it made. */
async function createSchema(db: Kysely<StoreDatabase>, schema: string): Promise<void> {
  try {
    await db.schema.createSchema(schema).ifNotExists().execute();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P06') throw error;
  }
}

async function migrate(db: Kysely<StoreDatabase>, engine: Engine, schema: string | undefined): Promise<void> {
  // Told no schema, Kysely takes another schema's migration tables in the same database for ours (a
  // search_path set in the URL, several trusts or tests on one database): name the schema in use.
  const tableSchema = schema ?? (engine === 'postgres' ? await currentSchema(db) : undefined);
  const migrator = new Migrator({ db, provider: storeMigrations(engine), ...(tableSchema ? { migrationTableSchema: tableSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const reason = failed ? `store migration ${failed} failed` : `store migrations could not start: ${error instanceof Error ? error.message : String(error)}`;
    throw new StoreError('migration-failed', reason, { cause: error });
  }
}

async function currentSchema(db: Kysely<StoreDatabase>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

/**
 * Each key version leaves a sealed check value at its first start; a later start with a different key
 * under that version stops here with a clear message instead of failing on every record.
 */
async function checkKeys(db: Kysely<StoreDatabase>, cipher: BodyCipher): Promise<void> {
  const name = (version: number) => `key-check-v${version}`;
  await db
    .insertInto('store_meta')
    .values({ name: name(cipher.currentVersion), value: cipher.seal(Buffer.from(KEY_CHECK_TEXT), 'key-check').toString('base64') })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  const checks = await db.selectFrom('store_meta').selectAll().where('name', 'in', cipher.versions.map(name)).execute();
  for (const check of checks) {
    try {
      cipher.open(Buffer.from(check.value, 'base64'), 'key-check');
    } catch (error) {
      throw new StoreError(
        'key-mismatch',
        `the configured quarantine key (${check.name.slice('key-check-'.length)}) is not the key this database was written with; configure the original key`,
        { cause: error },
      );
    }
  }
}
