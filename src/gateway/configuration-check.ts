/**
 * `hallmonitor check`, like `postfix check`: every part of the configuration serve would use, read and
 * tried without starting anything — the schools' rosters, rules and vocabularies, the keys, the TLS files,
 * and whether the next hop, Redis and the store answer. Nothing is written: a key file or a self-signed
 * certificate that serve would make at first start is reported as such.
 */
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { readPrivateKey } from 'openpgp';
import pg from 'pg';
import { listKeys } from '../crypto/recipient-keys.js';
import { loadDetectors } from '../detect/registry.js';
import { DEFAULT_RULES_DIRECTORY } from '../package-root.js';
import { loadRuleSet } from '../policy/load-rules.js';
import { checkRedisForQueues, withoutCredentials } from '../queue/check-redis.js';
import { redisAddress } from '../queue/redis-connections.js';
import { loadPupilsCsv, loadStaffCsv } from '../roster/load-roster.js';
import type { SchoolSources } from '../config/school-sources.js';
import { parseQuarantineKey, quarantineKeyPath } from '../store/quarantine-key.js';
import { nextHopFor, refuseSharedRangesWithoutTenants, type GatewaySettings } from './start-gateway.js';

/** One line of the report: the setting it is about, and what was found. */
export interface CheckResult {
  readonly setting: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface CheckOptions {
  /** How long a peer (next hop, Redis, PostgreSQL) may take to answer; default 5 s. */
  readonly timeoutMs?: number;
  /** When the check runs, for certificate and key expiry. */
  readonly now?: Date;
}

type Check = () => Promise<CheckResult | readonly CheckResult[]>;

/** Runs every check, one after another so that the report reads in a fixed order; a check that throws is a problem line. */
export async function checkConfiguration(settings: GatewaySettings, options: CheckOptions = {}): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const now = options.now ?? new Date();
  const data = resolve(settings.data);
  const checks: [string, Check][] = [
    ['allow', async () => (refuseSharedRangesWithoutTenants(settings), ok('allow', `${settings.allow.length} network(s) may relay`))],
    ...settings.schools.flatMap((school, index) => schoolChecks(school, index)),
    ['tls', () => checkTls(settings, now)],
    ['nextHopTls.ca', () => checkReadable('nextHopTls.ca', settings.nextHopTls.ca)],
    ['redisTls', () => checkRedisTlsFiles(settings)],
    ['quarantineKey', () => checkQuarantineKey(settings, data)],
    ['encryption.signingKey', () => checkSigningKey(settings.encryption.signingKey)],
    ['keys', () => checkRecipientKeys(data, now)],
    ['nextHop', () => checkNextHop(settings, data, timeoutMs)],
    ['redis', () => checkRedis(settings, timeoutMs)],
    ['database', () => checkStore(settings, data, timeoutMs)],
  ];
  const results: CheckResult[] = [];
  for (const [setting, check] of checks) {
    try {
      results.push(...[await check()].flat());
    } catch (error) {
      results.push(problem(setting, firstLine(error)));
    }
  }
  return results;
}

function schoolChecks(school: SchoolSources, index: number): [string, Check][] {
  const at = (field: string) => `schools[${index}].${field}`;
  const who = school.id && school.id !== 'default' ? `${school.id}: ` : '';
  const rules = school.rulesDirectory ?? DEFAULT_RULES_DIRECTORY;
  const rulesFrom = `${rules}${school.overridesDirectory ? ` and ${school.overridesDirectory}` : ''}`;
  return [
    [
      at('roster'),
      async () =>
        ok(
          at('roster'),
          school.rosterPath ? `${who}${(await loadPupilsCsv(school.rosterPath)).length} pupils in ${school.rosterPath}` : `${who}none: no pupil names are looked for`,
        ),
    ],
    [at('staff'), async () => ok(at('staff'), school.staffPath ? `${who}${(await loadStaffCsv(school.staffPath)).length} staff in ${school.staffPath}` : `${who}none`)],
    [at('rules'), async () => ok(at('rules'), `${who}${(await loadRuleSet(rules, school.overridesDirectory)).rules.length} rules from ${rulesFrom}`)],
    [at('vocabulary'), async () => ok(at('vocabulary'), `${who}${(await loadDetectors(rules)).length} detectors with their vocabularies`)],
  ];
}

async function checkTls(settings: GatewaySettings, now: Date): Promise<CheckResult[]> {
  if (!settings.tls) return [ok('tls', 'none configured: serve makes a self-signed pair under DATA/tls (trial use only)')];
  const { cert, key, ca } = settings.tls;
  const certificate = new X509Certificate(await readFile(cert));
  const privateKey = createPrivateKey(await readFile(key));
  if (!certificate.checkPrivateKey(privateKey)) return [problem('tls.key', `${key} is not the private key of ${cert}`)];
  const results = [validity('tls.cert', cert, certificate, now)];
  if (ca) results.push(validity('tls.ca', ca, new X509Certificate(await readFile(ca)), now));
  return results;
}

function validity(setting: string, path: string, certificate: X509Certificate, now: Date): CheckResult {
  const until = new Date(certificate.validTo);
  if (until < now) return problem(setting, `${path} expired on ${until.toISOString().slice(0, 10)}`);
  if (new Date(certificate.validFrom) > now) return problem(setting, `${path} is not valid until ${new Date(certificate.validFrom).toISOString().slice(0, 10)}`);
  return ok(setting, `${path}: ${certificate.subject.replace(/\n/g, ', ')}, valid until ${until.toISOString().slice(0, 10)}`);
}

async function checkReadable(setting: string, path: string | undefined): Promise<CheckResult> {
  if (path === undefined) return ok(setting, 'none');
  new X509Certificate(await readFile(path));
  return ok(setting, `${path} is a certificate`);
}

async function checkRedisTlsFiles(settings: GatewaySettings): Promise<CheckResult> {
  if (!settings.redisTls) return ok('redisTls', 'none');
  await redisAddress(settings.redis, settings.redisTls);
  return ok('redisTls', 'files readable');
}

/** The configured key, or the key file serve makes at first start: present, private to its owner, 32 bytes. */
async function checkQuarantineKey(settings: GatewaySettings, data: string): Promise<CheckResult> {
  if (settings.quarantineKey) return (parseQuarantineKey(settings.quarantineKey), ok('quarantineKey', 'set, 32 bytes'));
  const file = quarantineKeyPath(data);
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
  if (!info) return ok('quarantineKey', `${file} does not exist yet: serve makes it at first start`);
  if ((info.mode & 0o077) !== 0) return problem('quarantineKey', `${file} may be read by others (mode ${(info.mode & 0o777).toString(8)}): chmod 600 it`);
  parseQuarantineKey(await readFile(file, 'utf8'));
  return ok('quarantineKey', `${file}, 32 bytes, mode 600`);
}

async function checkSigningKey(path: string | undefined): Promise<CheckResult> {
  if (path === undefined) return ok('encryption.signingKey', 'none: PGP/MIME mail is not signed');
  const key = await readPrivateKey({ armoredKey: await readFile(path, 'utf8') });
  return ok('encryption.signingKey', `${path}: key ${key.getFingerprint().toUpperCase()}`);
}

async function checkRecipientKeys(data: string, now: Date): Promise<CheckResult> {
  const keys = await listKeys(data);
  const expired = keys.filter((key) => key.expires !== null && key.expires < now).length;
  return ok('keys', `${keys.length} recipient key(s)${expired > 0 ? `, ${expired} expired (hallmonitor keys list)` : ''}`);
}

/** Connects and says EHLO (STARTTLS and AUTH as configured), as a delivery would, then hangs up. */
async function checkNextHop(settings: GatewaySettings, data: string, timeoutMs: number): Promise<CheckResult> {
  if (!settings.nextHop) return ok('nextHop', 'none: trial mode, mail that would be delivered goes to DATA/outbox');
  const nextHop = await nextHopFor(settings, data, { timeoutMs, pool: false });
  try {
    await nextHop.probe();
    return ok('nextHop', `${nextHop.description} answers`);
  } catch (error) {
    return problem('nextHop', `${nextHop.description}: ${firstLine(error)}`);
  } finally {
    await nextHop.close();
  }
}

/** Serve starts a private redis-server when none answers, so only an unusable answer, or no redis-server to start, is a problem. */
async function checkRedis(settings: GatewaySettings, timeoutMs: number): Promise<CheckResult> {
  const address = await redisAddress(settings.redis, settings.redisTls);
  const verdict = await checkRedisForQueues(address, { timeoutMs });
  if (verdict.ok) return ok('redis', `${withoutCredentials(settings.redis)}: Redis ${verdict.version}${verdict.warnings.length > 0 ? `; ${verdict.warnings.join(' ')}` : ''}`);
  const unanswered = verdict.problems.length === 1 && verdict.problems[0]?.includes('does not answer');
  if (unanswered && (await redisServerInstalled())) {
    return ok('redis', `no Redis answers at ${withoutCredentials(settings.redis)}: serve starts a private redis-server under DATA/redis`);
  }
  return problem('redis', verdict.problems.join(' '));
}

/** PostgreSQL answers a query; or, for SQLite, the data folder (or the nearest folder serve would create it in) is writable. */
async function checkStore(settings: GatewaySettings, data: string, timeoutMs: number): Promise<CheckResult> {
  if (settings.database) {
    const client = new pg.Client({ connectionString: settings.database, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ version: string }>('show server_version');
      return ok('database', `${withoutCredentials(settings.database)}: PostgreSQL ${rows[0]?.version ?? '?'}`);
    } catch (error) {
      return problem('database', `${withoutCredentials(settings.database)}: ${firstLine(error)}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const folder = await nearestExisting(data);
  try {
    await access(folder, constants.W_OK | constants.X_OK);
  } catch {
    return problem('data', `${folder} is not writable by this user: SQLite (DATA/hallmonitor.sqlite) cannot be kept there`);
  }
  return ok('database', `none: SQLite under ${data}${folder === data ? '' : ` (made at first start in ${folder})`}`);
}

async function nearestExisting(path: string): Promise<string> {
  for (let at = path; ; at = dirname(at)) {
    if (
      await access(at).then(
        () => true,
        () => false,
      )
    )
      return at;
    if (dirname(at) === at) return at;
  }
}

/** Whether serve could start one: `redis-server --version` runs. */
function redisServerInstalled(): Promise<boolean> {
  return new Promise((done) => execFile('redis-server', ['--version'], { timeout: 5_000 }, (error) => done(error === null)));
}

function ok(setting: string, detail: string): CheckResult {
  return { setting, ok: true, detail };
}

function problem(setting: string, detail: string): CheckResult {
  return { setting, ok: false, detail };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'failed';
}
