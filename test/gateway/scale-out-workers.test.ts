import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startNextHop, type ReceivedMessage } from '../actions/support/next-hop-server.js';
import { removePrefix, uniquePrefix } from '../queue/support/redis.js';
import { DATABASE_URL } from '../store/support/store-engines.js';
import { runCli, startCli, type CliProcess } from './support/cli-process.js';
import { swaks } from './support/swaks.js';

const TEACHER = 'imran.sheikh@stmarys-example.sch.uk';
const OFFENDER = 'marcus.lindqvist@stmarys-example.sch.uk';
const BUSINESS_MANAGER = 'sbm@stmarys-example.sch.uk';
const MESSAGES = 4;

interface Listed {
  readonly id: string;
  readonly rcpt: readonly string[];
  readonly status: string;
}

/** One machine's configuration: its own data folder, the deployment's PostgreSQL, Redis prefix and key; no queue workers in serve. */
function machineConfig(data: string, shared: { database: string; prefix: string; key: string; nextHop: string }): string {
  return [
    `data: ${data}`,
    'listen: 127.0.0.1:0',
    'web: 127.0.0.1:0',
    `nextHop: ${shared.nextHop}`,
    `database: "${shared.database}"`,
    `redisPrefix: ${shared.prefix}`,
    `quarantineKey: ${shared.key}`,
    'queueWorkers: false',
    'schools:',
    '  - id: st-marys',
    '    domains: [stmarys-example.sch.uk]',
    `    roster: ${resolve('fixtures/roster/pupils.csv')}`,
    `    staff: ${resolve('fixtures/roster/staff.csv')}`,
    `    alerts: { business-manager: [${BUSINESS_MANAGER}] }`,
    '',
  ].join('\n');
}

/** What `hallmonitor quarantine list --json` says through one machine's configuration. */
async function quarantineSeenBy(config: string): Promise<Listed[]> {
  const run = await runCli(['quarantine', 'list', '--json', '--config', config]);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Listed)
    .sort((a, b) => a.id.localeCompare(b.id));
}

const to = (received: readonly ReceivedMessage[], address: string) => received.filter((message) => message.to.includes(address));

/**
 * Scale-out as it is deployed: two `serve` processes with their queue workers off and two
 * `hallmonitor worker` processes, all real child processes of the built CLI, sharing one PostgreSQL
 * schema and one Redis prefix. Mail sent to either gateway is handled once; the gateways leave alerts and
 * notices to the workers, which send them once each when they start; the quarantine is the same from both;
 * releases asked through one are delivered once by whichever worker takes them, the second half after one
 * worker was killed; and the audit chain holds.
 */
describe('two gateways and two hallmonitor worker processes', () => {
  it('handle each message, release and alert exactly once, and share the quarantine', async () => {
    const schema = `hm_scale_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const folder = await mkdtemp(join(tmpdir(), 'hm-scale-workers-'));
    const nextHop = await startNextHop();
    const shared = {
      database: `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      prefix: uniquePrefix(),
      key: randomBytes(32).toString('base64'),
      nextHop: nextHop.url,
    };
    const configs = ['a', 'b'].map((machine) => join(folder, `${machine}.yaml`));
    for (const [index, config] of configs.entries()) await writeFile(config, machineConfig(join(folder, `data-${index}`), shared));
    const processes: CliProcess[] = [];
    try {
      // Each machine runs one gateway and (below) one worker on the same configuration, as the systemd units do.
      const gateways = configs.map((config) => startCli(['serve', '--config', config]));
      processes.push(...gateways);
      const ports = await Promise.all(gateways.map(async (gateway) => (await gateway.logged('hallmonitor started')).smtp!.port));
      for (const gateway of gateways) await gateway.logged('queue workers off: hallmonitor worker processes send alerts and notices and carry out releases');

      for (let index = 0; index < MESSAGES; index += 1) {
        const port = ports[index % 2]!;
        const file = join(folder, `clean-${index}.eml`);
        await writeFile(
          file,
          `From: ${TEACHER}\r\nTo: parent@example.org\r\nSubject: Trip ${index}\r\nMessage-ID: <scale-${index}@stmarys-example.sch.uk>\r\n\r\nPacked lunches please.\r\n`,
        );
        expect((await swaks(port, file, { from: TEACHER, to: ['parent@example.org'] })).lastCode).toBe(250);
        const held = await swaks(port, 'fixtures/corpus/slur-disablist.eml', { from: OFFENDER, to: [`colleague${index}@stmarys-example.sch.uk`] });
        expect(held.lastCode, held.transcript).toBe(250);
      }

      // Each clean message reached the next hop once, through whichever gateway took it.
      const delivered = to(nextHop.received, 'parent@example.org').map((message) => /Message-ID: <(scale-\d+)@/.exec(message.raw.toString('latin1'))?.[1]);
      expect(delivered.sort()).toEqual(Array.from({ length: MESSAGES }, (_, index) => `scale-${index}`));

      // The gateways sent no alert or notice themselves: those wait in Redis for the workers.
      await new Promise((done) => setTimeout(done, 1_500));
      expect(to(nextHop.received, BUSINESS_MANAGER)).toHaveLength(0);
      expect(to(nextHop.received, OFFENDER)).toHaveLength(0);
      const workers = configs.map((config) => startCli(['worker', '--config', config]));
      processes.push(...workers);

      // The same quarantine seen through either machine's configuration.
      const [seenByA, seenByB] = await Promise.all([
        quarantineSeenBy(configs[0]!),
        quarantineSeenBy(configs[1]!),
        ...workers.map((worker) => worker.logged('hallmonitor worker started')),
      ]);
      expect(seenByA).toHaveLength(MESSAGES);
      expect(seenByB).toEqual(seenByA);
      expect(seenByA.every((held) => held.status === 'held')).toBe(true);

      // Once the workers run, each alert is sent once, with a Message-ID of its own, and each sender's notice once.
      await expect.poll(() => to(nextHop.received, BUSINESS_MANAGER).length, { timeout: 60_000 }).toBe(MESSAGES);
      await expect.poll(() => to(nextHop.received, OFFENDER).length, { timeout: 60_000 }).toBe(MESSAGES);
      const alertIds = await Promise.all(to(nextHop.received, BUSINESS_MANAGER).map(async (message) => (await simpleParser(message.raw)).messageId));
      expect(new Set(alertIds).size).toBe(MESSAGES);

      // Releases asked through machine a: delivered once each, by one worker or the other.
      const [first, second] = [seenByA.slice(0, MESSAGES / 2), seenByA.slice(MESSAGES / 2)];
      const release = async (held: Listed) => {
        const run = await runCli(['quarantine', 'release', held.id, '--json', '--wait', '60', '--config', configs[0]!]);
        expect(run.status, run.stderr).toBe(0);
        expect(JSON.parse(run.stdout)).toMatchObject({ id: held.id, status: 'released' });
      };
      await Promise.all(first.map(release));
      // A worker dies without warning; the other carries on alone.
      workers[0]!.child.kill('SIGKILL');
      await workers[0]!.exited;
      await Promise.all(second.map(release));

      // Nothing was sent twice: not an alert, not a released message.
      expect(to(nextHop.received, BUSINESS_MANAGER)).toHaveLength(MESSAGES);
      for (const held of seenByA) expect(to(nextHop.received, held.rcpt[0]!), held.rcpt[0]).toHaveLength(1);
      const [afterwards, audit] = await Promise.all([quarantineSeenBy(configs[1]!), runCli(['audit', 'verify', '--config', configs[1]!])]);
      expect(afterwards.map((held) => held.status)).toEqual(Array(MESSAGES).fill('released'));
      expect(audit.status, audit.stdout).toBe(0);
      expect(audit.stdout).toMatch(/^audit chain intact/);

      expect(await Promise.all([...gateways, workers[1]!].map((running) => running.stop()))).toEqual([0, 0, 0]);
    } finally {
      for (const running of processes) running.child.kill('SIGKILL');
      await nextHop.close();
      await removePrefix(shared.prefix);
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
      await rm(folder, { recursive: true, force: true });
    }
  }, 150_000);
});
