import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openStore, type StoreOptions } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';

export const DATABASE_URL = process.env.HALLMONITOR_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

/** A place for one test's store: a temp data directory, and for PostgreSQL a fresh schema, dropped afterwards. */
export interface StoreSite {
  readonly engine: 'sqlite' | 'postgres';
  readonly dataDir: string;
  /** Opens a store on this site; several may be open at once (PostgreSQL). */
  open(extra?: Partial<StoreOptions>): Promise<Store>;
  /** Runs SQL directly against the site's database, bypassing the store: for tampering. */
  exec(query: string, parameters?: unknown[]): Promise<Record<string, unknown>[]>;
  dispose(): Promise<void>;
}

export const ENGINES = ['sqlite', 'postgres'] as const;

export async function createSite(engine: 'sqlite' | 'postgres'): Promise<StoreSite> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hm-store-'));
  const stores: Store[] = [];
  const track = async (options: StoreOptions) => {
    const store = await openStore(options);
    stores.push(store);
    return store;
  };
  const closeAll = async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  };
  if (engine === 'sqlite') {
    const Database = (await import('better-sqlite3')).default;
    return {
      engine,
      dataDir,
      open: (extra) => track({ dataDir, ...extra }),
      async exec(query, parameters = []) {
        const database = new Database(path.join(dataDir, 'hallmonitor.sqlite'));
        try {
          const statement = database.prepare(query);
          if (statement.reader) return statement.all(...parameters) as Record<string, unknown>[];
          statement.run(...parameters);
          return [];
        } finally {
          database.close();
        }
      },
      async dispose() {
        await closeAll();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = `hm_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2, options: `-c search_path=${schema}` });
  return {
    engine,
    dataDir,
    open: (extra) => track({ dataDir, databaseUrl: DATABASE_URL, schema, ...extra }),
    async exec(query, parameters = []) {
      let index = 0;
      const numbered = query.replace(/\?/g, () => `$${++index}`);
      return (await admin.query(numbered, parameters)).rows as Record<string, unknown>[];
    },
    async dispose() {
      await closeAll();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
