import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../../src/gateway/start-gateway.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { runCli } from '../cli/run-cli.js';
import { DATABASE_URL } from '../store/support/store-engines.js';
import { gatewaySettings, memoryLog } from './support/gateway-settings.js';
import { swaks } from './support/swaks.js';

/** The gateway on PostgreSQL (`database:`), as a trust runs it: a quarantined message is listed from another process. */
describe('serve with PostgreSQL', () => {
  it('holds a quarantined message in PostgreSQL, encrypted, and the CLI lists it from the same database', async () => {
    const schema = `hm_gateway_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const database = `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const folder = await mkdtemp(join(tmpdir(), 'hm-gateway-pg-'));
    const nextHop = await startNextHop();
    const settings = { ...gatewaySettings(join(folder, 'data'), nextHop.url), database };
    const gateway = await startGateway(settings, memoryLog().logger);
    try {
      const run = await swaks(gateway.smtp.port, 'fixtures/corpus/slur-disablist.eml', {
        from: 'marcus.lindqvist@stmarys-example.sch.uk',
        to: ['zainab.qureshi@stmarys-example.sch.uk'],
      });
      expect(run.lastCode, run.transcript).toBe(250);
      expect(nextHop.received).toEqual([]);

      const stored = await admin.query(`SELECT encode(raw, 'escape') AS raw FROM ${schema}.quarantine_bodies`);
      expect(stored.rows).toHaveLength(1);
      expect(String(stored.rows[0].raw)).not.toContain('booking system');

      const config = join(folder, 'admin.yaml');
      await writeFile(config, `database: "${database}"\nredisPrefix: ${settings.redisPrefix}\n`);
      const listed = runCli(['quarantine', 'list', '--json', '--config', config, '--data', join(folder, 'data')]);
      expect(listed.status, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout.trim())).toMatchObject({ status: 'held', categories: ['language/slur'] });
    } finally {
      await gateway.stop();
      await nextHop.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });
});
