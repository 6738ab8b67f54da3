import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { freePort } from '../../src/gateway/free-port.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';
import { Children, waitForPort } from '../relay/children.js';
import { SCHOOL_DOMAIN } from './mix.js';

const SERVE_SCRIPT = join(PACKAGE_ROOT, 'dist/src/cli/main.js');
export const DATABASE_URL = process.env.HALLMONITOR_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const ALERTS = { 'business-manager': [`sbm@${SCHOOL_DOMAIN}`], dpo: [`dpo@${SCHOOL_DOMAIN}`], dsl: [`dsl@${SCHOOL_DOMAIN}`] };

/** One `hallmonitor serve` process of the deployment; `child` changes when it is restarted. */
export interface Gateway {
  readonly name: string;
  readonly port: number;
  readonly configPath: string;
  child: ChildProcess;
  /** The largest resident set seen, in bytes, over all its lives. */
  peakRss: number;
}

/** Two gateways sharing a private Redis, a PostgreSQL schema and the quarantine key,, as a trust scales out. */
export interface Deployment {
  readonly gateways: readonly Gateway[];
  readonly redis: { readonly host: string; readonly port: number };
  readonly redisPrefix: string;
  /** The shared database, its schema chosen by search_path. */
  readonly databaseUrl: string;
  readonly quarantineKey: string;
  kill(gateway: Gateway): Promise<void>;
  restart(gateway: Gateway): Promise<void>;
  sampleRss(): void;
  /** Stops the gateways (SIGTERM, as systemd would) and Redis, and drops the schema. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MILLIS = 120_000;

/**
 * A private redis-server (no persistence, so the machine's own Redis is untouched), a fresh PostgreSQL
 * schema, and two serve processes of the built CLI with the fixture school, its alerts, and one trace
 * secret (HALLMONITOR_TRACE_SECRET), so a message retried at the other gateway is known as the same.
 */
export async function startDeployment(children: Children, folder: string, nextHopPort: number): Promise<Deployment> {
  const redis = { host: '127.0.0.1', port: await freePort() };
  const redisProcess = children.start('redis-server', ['--port', String(redis.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', folder]);
  await waitForPort(redis.port, redisProcess, 10_000, 'redis-server');
  const schema = `hm_soak_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const databaseUrl = `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const quarantineKey = randomBytes(32).toString('base64');
  const redisPrefix = `hm-soak-${randomBytes(6).toString('hex')}`;
  const environment = { ...process.env, HALLMONITOR_TRACE_SECRET: randomBytes(32).toString('hex') };

  const schools = await fixtureSchools();
  const gateways: Gateway[] = [];
  const launch = async (gateway: Omit<Gateway, 'child' | 'peakRss'>): Promise<ChildProcess> => {
    const log = await open(join(folder, `${gateway.name}.log`), 'a');
    const child = children.start(process.execPath, [SERVE_SCRIPT, 'serve', '--config', gateway.configPath], { stdio: ['ignore', log.fd, log.fd], env: environment });
    child.once('exit', () => void log.close());
    await waitForPort(gateway.port, child, START_TIMEOUT_MILLIS, `hallmonitor serve ${gateway.name}`);
    return child;
  };
  for (const name of ['a', 'b']) {
    const port = await freePort();
    const configPath = join(folder, `${name}.yaml`);
    const settings = {
      listen: `127.0.0.1:${port}`,
      web: '127.0.0.1:0',
      data: join(folder, name),
      redis: `redis://${redis.host}:${redis.port}`,
      redisPrefix,
      database: databaseUrl,
      quarantineKey,
    };
    await writeFile(configPath, stringify({ ...settings, nextHop: `smtp://127.0.0.1:${nextHopPort}`, limits: { maxConnectionsPerIp: 200 }, schools }));
    const gateway = { name, port, configPath };
    gateways.push({ ...gateway, child: await launch(gateway), peakRss: 0 });
  }

  const sampleRss = () => {
    for (const gateway of gateways) gateway.peakRss = Math.max(gateway.peakRss, residentBytes(gateway.child));
  };
  return {
    gateways,
    redis,
    redisPrefix,
    databaseUrl,
    quarantineKey,
    async kill(gateway) {
      const exited = new Promise((resolve) => gateway.child.once('exit', resolve));
      if (gateway.child.pid !== undefined) process.kill(-gateway.child.pid, 'SIGKILL');
      await exited;
    },
    async restart(gateway) {
      gateway.child = await launch(gateway);
    },
    sampleRss,
    async stop() {
      try {
        await Promise.all(gateways.map((gateway) => children.stop(gateway.child, 40_000)));
        await children.stop(redisProcess);
      } finally {
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      }
    },
  };
}

/** fixtures/school.yaml's schools, with absolute paths and someone to alert in each role. */
async function fixtureSchools(): Promise<Record<string, unknown>[]> {
  const file = join(PACKAGE_ROOT, 'fixtures/school.yaml');
  const { schools } = parse(await readFile(file, 'utf8')) as { schools: Record<string, unknown>[] };
  const at = (path: unknown) => resolve(dirname(file), String(path));
  return schools.map((school) => ({ ...school, roster: at(school.roster), staff: at(school.staff), alerts: ALERTS }));
}

/** VmRSS from /proc (proc(5)); 0 once the process is gone. */
function residentBytes(child: ChildProcess): number {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return 0;
  try {
    const kilobytes = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
    return Number(kilobytes ?? 0) * 1024;
  } catch {
    return 0;
  }
}
