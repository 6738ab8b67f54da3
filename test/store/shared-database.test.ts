import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createSite, DATABASE_URL, type StoreSite } from './support/store-engines.js';

/**
 * One PostgreSQL database is shared with other trusts' stores, other applications and tests. Another
 * session dropping its tables and schemas must not fail this store's migration: Kysely's own introspector
 * reads every schema's catalogue by name, and failed here with "schema does not exist".
 */
describe('a store on a PostgreSQL database where others drop tables and schemas', () => {
  const sites: StoreSite[] = [];
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  afterAll(async () => {
    await Promise.all(sites.map((site) => site.dispose()));
    await admin.end();
  });

  it('migrates while another session creates and drops schemas full of tables', async () => {
    let migrating = true;
    const churn = async () => {
      while (migrating) {
        const schema = `hm_churn_${randomBytes(6).toString('hex')}`;
        await admin.query(`CREATE SCHEMA ${schema}`);
        for (let table = 0; table < 5; table += 1) await admin.query(`CREATE TABLE ${schema}.t${table} (id serial primary key, note text)`);
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      }
    };
    const churning = Promise.all([churn(), churn(), churn()]);
    try {
      for (let store = 0; store < 6; store += 1) {
        const site = await createSite('postgres');
        sites.push(site);
        const opened = await site.open();
        expect(await opened.audit.verify()).toMatchObject({ ok: true });
      }
    } finally {
      migrating = false;
      await churning;
    }
  }, 120_000);
});
