import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../src/gateway/start-gateway.js';
import { openStore } from '../../src/store/open-store.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { DATABASE_URL } from '../store/support/store-engines.js';
import { gatewaySettings, memoryLog } from './support/gateway-settings.js';
import { swaks } from './support/swaks.js';

const BUSINESS_MANAGER = 'sbm@stmarys-example.sch.uk';

/**
 * Scale-out: two gateways (each with its queue workers) sharing one PostgreSQL, one Redis prefix
 * and one quarantine key, messages sent to either: each handled once, every quarantine visible from both
 * stores, every alert sent once.
 */
describe('two gateways sharing PostgreSQL and Redis', () => {
  it('handle each message once, share the quarantine, and send each alert once', async () => {
    const schema = `hm_scale_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const database = `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const folder = await mkdtemp(join(tmpdir(), 'hm-scale-'));
    const nextHop = await startNextHop();
    const quarantineKey = randomBytes(32).toString('base64');
    const shared = gatewaySettings(join(folder, 'a'), nextHop.url);
    const gateways: RunningGateway[] = [];
    try {
      for (const name of ['a', 'b']) {
        const settings = {
          ...shared,
          data: join(folder, name),
          database,
          quarantineKey,
          alertRecipients: { 'st-marys': { 'business-manager': [BUSINESS_MANAGER], dpo: [], dsl: [] } },
        };
        gateways.push(await startGateway(settings, memoryLog().logger));
      }
      const messages = 6;
      for (let index = 0; index < messages; index += 1) {
        const gateway = gateways[index % 2]!;
        const file = join(folder, `clean-${index}.eml`);
        await writeFile(
          file,
          `From: imran.sheikh@stmarys-example.sch.uk\r\nTo: parent@example.org\r\nSubject: Trip ${index}\r\nMessage-ID: <scale-${index}@stmarys-example.sch.uk>\r\n\r\nPacked lunches please.\r\n`,
        );
        expect((await swaks(gateway.smtp.port, file, { from: 'imran.sheikh@stmarys-example.sch.uk', to: ['parent@example.org'] })).lastCode).toBe(250);
        const held = await swaks(gateway.smtp.port, 'fixtures/corpus/slur-disablist.eml', {
          from: 'marcus.lindqvist@stmarys-example.sch.uk',
          to: [`colleague${index}@stmarys-example.sch.uk`],
        });
        expect(held.lastCode, held.transcript).toBe(250);
      }

      // Each delivered message reached the next hop once.
      const delivered = nextHop.received.filter((message) => message.to.includes('parent@example.org'));
      expect(delivered.map((message) => /Message-ID: <(scale-\d+)@/.exec(message.raw.toString('latin1'))?.[1]).sort()).toEqual(
        Array.from({ length: messages }, (_, index) => `scale-${index}`).sort(),
      );
      // Every quarantine is visible from either gateway's store (a third process's view here).
      const store = await openStore({ dataDir: join(folder, 'a'), databaseUrl: database, key: quarantineKey });
      try {
        expect(await store.quarantine.count({ status: 'held' })).toBe(messages);
        expect(await store.audit.verify()).toMatchObject({ ok: true });
      } finally {
        await store.close();
      }
      // One alert per held message, whichever gateway's worker sent it; and one quarantine notice each.
      const alerts = () => nextHop.received.filter((message) => message.to.includes(BUSINESS_MANAGER));
      await expect.poll(() => alerts().length, { timeout: 20_000 }).toBe(messages);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(alerts()).toHaveLength(messages);
      const ids = await Promise.all(alerts().map(async (message) => (await simpleParser(message.raw)).messageId));
      expect(new Set(ids).size).toBe(messages);
    } finally {
      for (const gateway of gateways) await gateway.stop();
      await nextHop.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  }, 90_000);
});
