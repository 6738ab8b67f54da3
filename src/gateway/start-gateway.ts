import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { processSettings } from '../config/environment.js';
import { smtpNextHop, trialOutbox, type NextHop, type SmtpNextHopOptions } from '../delivery/next-hop.js';
import type { Config } from '../config/config.js';
import type { AlertRecipients, SchoolEncryption } from '../config/schools-config.js';
import { ConfigError } from '../config/yaml-file.js';
import type { HostPort } from '../config/gateway-config.js';
import type { SchoolSources } from '../config/school-sources.js';
import { createScanPool } from '../scan/scan-pool.js';
import { loadTenants, type Tenants } from '../scan/tenants.js';
import { createInboundServer } from '../smtp/inbound-server.js';
import { ConcurrencyLimit } from '../smtp/concurrency-limit.js';
import { signInLimitFrom } from '../web/auth-routes.js';
import { EntraSignIn, entraSettings } from '../web/entra-sign-in.js';
import { selfSignedCertificate } from '../smtp/self-signed.js';
import { exchangeOnlineEntries } from '../smtp/exchange-online.js';
import { withoutCredentials } from '../queue/check-redis.js';
import { redisAddress, redisClient } from '../queue/redis-connections.js';
import { CleanupStack } from './cleanup-stack.js';
import { ensureRedis } from './ensure-redis.js';
import { startGatewayServices } from './gateway-services.js';
import { loadTraceSecret, tracedNextHop } from './loop-guard.js';
import { sendAsItWas } from '../actions/sender-override.js';
import { createMessagePipeline } from './message-pipeline.js';
import { ReloadableSchools, type SchoolPolicies } from './reloadable-schools.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import { readinessOf } from './readiness.js';
import { startWebServer } from './status-server.js';

/** Everything `serve` runs on: the configuration with flags applied, and the schools to load. */
export interface GatewaySettings extends Omit<Config, 'schools' | 'rules'> {
  readonly schools: readonly SchoolSources[];
  /** Who hears about each school's alerts, by school id. */
  readonly alertRecipients: Readonly<Record<string, AlertRecipients>>;
  /** Each school's choice of form for recipients without a key, by school id; absent: the gateway's. */
  readonly schoolEncryption?: Readonly<Record<string, SchoolEncryption>>;
}

export interface RunningGateway {
  readonly smtp: HostPort;
  readonly web: HostPort;
  readonly trialMode: boolean;
  /**
   * Loads the schools' rosters and rules again and puts them in force without dropping a connection; a bad
   * file rejects (naming it) and the policies in force stay. Domains and every other setting need a restart.
   */
  reload(schools: readonly SchoolSources[]): Promise<void>;
  /** Stop accepting, finish transactions in flight within the grace period, then release everything. */
  stop(): Promise<void>;
}

/**
 * Starts the gateway, all or nothing: a bad roster, rule file or certificate fails here, before
 * the SMTP port opens, so the gateway never runs half a policy.
 */
export async function startGateway(settings: GatewaySettings, log: Logger): Promise<RunningGateway> {
  refuseSharedRangesWithoutTenants(settings);
  const data = resolve(settings.data);
  await mkdir(data, { recursive: true, mode: 0o700 });
  const metrics = createGatewayMetrics();
  const running = new CleanupStack();
  return running.guard(() => startParts(settings, data, metrics, running, log));
}

/** Each part as it starts goes on `running`, so a later failure stops it and `stop()` stops all, newest first. */
async function startParts(settings: GatewaySettings, data: string, metrics: GatewayMetrics, running: CleanupStack, log: Logger): Promise<RunningGateway> {
  // First, so a next hop that cannot be used safely stops the start before anything runs; a pool holds no socket until used.
  const nextHop = countingErrors(await nextHopFor(settings, data), metrics);
  running.defer(() => nextHop.close());
  const entra = entraSignInFor(settings, log);
  // Read while the rest starts; a failure only hides the button (it is logged), never stops the gateway.
  const entraDiscovered = entra?.discover();
  const schools = new ReloadableSchools(await loadPolicies(settings.schools, log));
  running.defer(() => schools.close());
  const { tenants } = schools;
  const redis = await ensureRedis(await redisAddress(settings.redis, settings.redisTls), data);
  running.defer(() => redis.stop());
  if (redis.private) log.warn({ redis: withoutCredentials(redis.url) }, 'no Redis answered at the configured address; started a private redis-server under the data folder');
  const schoolDomains = settings.schools.flatMap((school) => school.domains);
  // One bound for the process: review-app sign-ins and SMTP AUTH draw on the same memory and thread pool.
  const passwordHashes = new ConcurrencyLimit(settings.limits.passwordHashes);
  const services = await startGatewayServices({ ...settings, data }, { redis, nextHop, tenants, log, metrics });
  running.defer(() => services.close());
  metrics.watchFailedJobs(() => services.mail.failedCount());
  const traceSecret = await loadTraceSecret(join(data, 'keys', 'trace.key'));
  // Traced as releases are, so a message sent past a rule that comes back through this gateway passes, not loops.
  const overrideHop = tracedNextHop(nextHop, traceSecret);
  const schoolNames = new Map(settings.schools.flatMap((school) => (school.id && school.name ? [[school.id, school.name] as const] : [])));
  const inbound = createInboundServer(
    {
      host: settings.listen.host,
      port: settings.listen.port,
      allow: settings.allow,
      // Without a school domain configured (embedded defaults), any sender from the allowed networks.
      senderDomains: schoolDomains.length > 0 ? schoolDomains : 'any',
      senderNetworks: settings.schools.flatMap((school) => (school.allow ? [{ domains: school.domains, allow: school.allow }] : [])),
      maxMessageBytes: settings.limits.maxMessageBytes,
      maxRecipients: settings.limits.maxRecipients,
      maxClients: settings.limits.maxClients,
      maxConnectionsPerIp: settings.limits.maxConnectionsPerIp,
      socketTimeoutMs: settings.limits.socketTimeoutSeconds * 1000,
      tls: await tlsPair(settings, data),
      requireTls: settings.requireTls,
      requireClientCertificate: settings.requireClientCertificate,
      ...(settings.smtpUsers ? { auth: smtpAuth(settings.smtpUsers, settings.limits, passwordHashes) } : {}),
      proxyProtocol: settings.proxyProtocol,
      spoolDirectory: join(data, 'spool'),
      onRefusal: (refusal) => {
        metrics.refusals.inc({ reason: refusal.code });
        log.warn({ ...(refusal.sessionId ? { session: refusal.sessionId } : {}), client: refusal.client, stage: refusal.stage, refusal: refusal.code }, 'refused');
      },
      onError: (error) => {
        const code = connectionErrorCode(error);
        metrics.connectionErrors.inc({ code });
        log.warn({ client: connectionErrorClient(error), code }, 'connection error');
      },
    },
    createMessagePipeline({
      get tenants() {
        return schools.tenants;
      },
      actions: services.actions,
      log,
      metrics,
      traceSecret,
      scanPool: schools,
      schoolNames,
    }),
  );
  let stopping = false;
  const smtp = await inbound.listen();
  // Stopped after the web server, before the services: transactions in flight finish with everything they need.
  running.defer(() => inbound.close(settings.limits.shutdownGraceSeconds * 1000));
  // Its own connection, failing fast: a probe must not wait behind queue traffic or for a reconnect.
  const readinessRedis = redisClient(redis, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2_000 });
  readinessRedis.on('error', () => undefined);
  running.defer(() => readinessRedis.disconnect());
  await entraDiscovered;
  const status = await startWebServer(settings.web, {
    store: services.store,
    mail: services.mail,
    metrics,
    // Read on every request, so the rules view follows a reload.
    ruleSets: () => new Map(schools.tenants.schools.map(({ school }) => [school.id, school.ruleSet])),
    isHealthy: () => !stopping,
    readiness: readinessOf(
      [
        { name: 'redis', probe: () => readinessRedis.ping() },
        { name: 'store', probe: () => services.store.ping() },
        { name: 'next-hop', probe: () => nextHop.probe() },
      ],
      { running: () => !stopping },
    ),
    // Behind HTTPS (the review URL says so), cookies are Secure and __Host- prefixed (src/web/README.md).
    secureCookies: settings.reviewUrl?.startsWith('https://') ?? false,
    ...(settings.webTrustProxy.length > 0 ? { trustProxy: [...settings.webTrustProxy] } : {}),
    ...(settings.metricsToken ? { metricsToken: settings.metricsToken } : {}),
    signInLimit: signInLimitFrom(settings.limits.signIn),
    passwordHashes,
    ...(entra ? { entraSignIn: entra, passwordSignIn: entraSettings(settings)?.passwordSignIn ?? true } : {}),
    sendAsItWas: (id, justification, now) =>
      sendAsItWas(
        {
          store: services.store,
          nextHop: overrideHop,
          mail: services.mail,
          encrypt: services.actions.encrypt,
          spoolDirectory: services.actions.spoolDirectory,
          overrideAlerts: {
            ...services.actions.alerts,
            alertInbox: services.store.alertInbox,
            // The rules as they read now: the school's policy after any reload.
            describeRule: (schoolId, ruleId) => schools.tenants.schools.find(({ school }) => school.id === schoolId)?.school.ruleSet.rules.find((rule) => rule.id === ruleId),
            schoolName: (schoolId) => schoolNames.get(schoolId),
          },
        },
        id,
        justification,
        now,
      ),
  });
  running.defer(() => status.close());
  log.info({ smtp, web: status.address, nextHop: nextHop.description, schools: tenants.schools.map((s) => s.school.id), instance: randomUUID() }, 'hallmonitor started');
  if (!settings.nextHop) log.warn({ outbox: join(data, 'outbox') }, 'trial mode: no next hop is configured, so mail that would be delivered is written to the outbox instead');
  return {
    smtp,
    web: status.address,
    trialMode: !settings.nextHop,
    async reload(sources) {
      await schools.replace(await loadPolicies(sources, log));
      log.info({ schools: schools.tenants.schools.map((loaded) => loaded.school.id) }, 'schools reloaded');
    },
    async stop() {
      stopping = true;
      await running.unwind();
      log.info('hallmonitor stopped');
    },
  };
}

/** SMTP AUTH's logins and limits from the settings. */
function smtpAuth(users: NonNullable<GatewaySettings['smtpUsers']>, limits: GatewaySettings['limits'], passwordHashes: ConcurrencyLimit) {
  const { perAddress, total, windowMinutes } = limits.smtpAuthFailures;
  return {
    users: new Map(Object.entries(users).map(([login, entry]) => [login.toLowerCase(), entry])),
    failureLimit: { perAddress, total, windowMs: windowMinutes * 60_000 },
    passwordHashes,
  };
}

/**
 * The schools' policies: scanning runs on worker threads, so the event loop keeps to SMTP and delivery
 * (src/scan/scan-pool.ts); the workers load the rosters (and refuse a bad one), so this thread keeps each
 * school's domains and rules only, which saves a copy of every roster (about 250 MB for 100,000 pupils).
 */
async function loadPolicies(sources: readonly SchoolSources[], log: Logger): Promise<SchoolPolicies> {
  const starting = createScanPool({ schools: sources, size: processSettings().scanWorkers, onWorkerFault: (fault) => log.error(fault, 'scan worker replaced') });
  let tenants: Tenants;
  try {
    tenants = await loadTenants(withoutRosters(sources));
  } catch (error) {
    await (await starting.catch(() => undefined))?.close();
    throw error;
  }
  return { tenants, scanPool: await starting };
}

/** Sign-in with Entra ID when configured (a missing secret stops the start); its problems are logged by code only. */
function entraSignInFor(settings: GatewaySettings, log: Logger): EntraSignIn | undefined {
  const entra = entraSettings(settings);
  if (!entra) return undefined;
  return new EntraSignIn(entra, (problem) => {
    if (problem.code === 'discovery-failed') {
      log.error(
        { code: 'entra-discovery-failed', issuer: entra.issuer.href, problem: problem.detail },
        "Entra ID sign-in is unavailable: the issuer's OpenID configuration could not be read; the sign-in page offers passwords only until it can",
      );
    } else {
      log.warn({ code: `entra-${problem.code}`, ...(problem.detail ? { problem: problem.detail } : {}) }, 'Entra ID sign-in refused');
    }
  });
}

/** The schools' domains and policies without their rosters: for threads and processes that never scan. */
export function withoutRosters(sources: readonly SchoolSources[]): SchoolSources[] {
  return sources.map(({ rosterPath: _roster, staffPath: _staff, ...policyOnly }) => policyOnly);
}

/**
 * Exchange Online's ranges are shared by every Microsoft 365 tenant: allowed without a tenant binding, any
 * tenant could add a connector to this gateway and relay as the school ("EchoSpoofing").
 */
export function refuseSharedRangesWithoutTenants(settings: GatewaySettings): void {
  if (settings.allowAnyMicrosoft365Tenant) return;
  const shared = exchangeOnlineEntries(settings.allow);
  const unbound = settings.schools.filter((school) => (school.microsoft365TenantIds ?? []).length === 0);
  if (shared.length === 0 || unbound.length === 0) return;
  const which = unbound.map((school) => school.id ?? 'default').join(', ');
  throw new ConfigError(
    'configuration',
    undefined,
    'microsoft365TenantIds',
    `allow holds Exchange Online's shared ranges (${shared.join(', ')}), which every Microsoft 365 tenant sends from, but ${which} names no tenant: set each school's microsoft365TenantIds (or serve --tenant GUID), or allowAnyMicrosoft365Tenant: true if the tenant is checked some other way (docs/deploy.md)`,
  );
}

/** A stable code for a failed TLS handshake or a broken connection (OpenSSL's or the system's), never its text. */
function connectionErrorCode(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.name;
}

/** The client's address, which smtp-server writes on a connection's errors as `remoteAddress`. */
function connectionErrorClient(error: Error): string | undefined {
  const address = (error as { remoteAddress?: unknown }).remoteAddress;
  return typeof address === 'string' ? address : undefined;
}

/** The school's onward relay as configured, or the trial outbox; `connection` tunes the SMTP client (a check wants a short timeout, no pool). */
export async function nextHopFor(settings: GatewaySettings, data: string, connection: Pick<SmtpNextHopOptions, 'timeoutMs' | 'pool'> = {}): Promise<NextHop> {
  if (!settings.nextHop) return trialOutbox(join(data, 'outbox'));
  const { require, verify, ca } = settings.nextHopTls;
  if (settings.nextHopUser && !settings.nextHopPassword) {
    throw new ConfigError('configuration', undefined, 'nextHopPassword', 'nextHopUser is set, so a password is needed (nextHopPassword or HALLMONITOR_NEXT_HOP_PASSWORD)');
  }
  const exposed = settings.nextHopPassword === undefined ? undefined : passwordExposure(settings.nextHop, settings.nextHopTls);
  if (exposed) throw new ConfigError('configuration', undefined, exposed.setting, exposed.problem);
  return smtpNextHop(settings.nextHop, {
    ...connection,
    tls: { require, verify, ...(ca ? { ca: await readFile(ca, 'utf8') } : {}) },
    ...(settings.nextHopUser && settings.nextHopPassword ? { auth: { user: settings.nextHopUser, pass: settings.nextHopPassword } } : {}),
  });
}

/**
 * Why the next hop's password could reach someone other than the next hop, if it could. Without required TLS a
 * man in the middle strips STARTTLS from the EHLO reply (RFC 3207 §6) and reads AUTH in clear; without a verified
 * certificate he answers the handshake himself.
 */
function passwordExposure(nextHop: string, tls: { readonly require: boolean; readonly verify: boolean }): { setting: string; problem: string } | undefined {
  if (!tls.require && !nextHop.startsWith('smtps://')) {
    return {
      setting: 'nextHopTls.require',
      problem:
        'nextHopPassword is set, so TLS to the next hop must be required (nextHopTls.require: true, or an smtps:// nextHop); otherwise a STARTTLS-stripping attacker reads the password',
    };
  }
  if (!tls.verify) {
    return {
      setting: 'nextHopTls.verify',
      problem:
        "nextHopPassword is set, so the next hop's certificate must be verified (nextHopTls.verify: true, with nextHopTls.ca for a private CA); otherwise anyone in the path can pose as it and take the password",
    };
  }
  return undefined;
}

/** Every delivery the next hop did not accept counts in /metrics, whoever asked for it (messages, notices, releases). */
function countingErrors(nextHop: NextHop, metrics: GatewayMetrics): NextHop {
  return {
    description: nextHop.description,
    probe: () => nextHop.probe(),
    close: () => nextHop.close(),
    async deliver(message, prepend) {
      const result = await nextHop.deliver(message, prepend);
      if (result.reply.code !== 250) metrics.nextHopErrors.inc({ code: String(result.reply.code) });
      return result;
    },
  };
}

/** The configured certificate, or a self-signed one made once and kept under DATA/tls. */
async function tlsPair(settings: GatewaySettings, data: string): Promise<{ key: string; cert: string; ca?: string }> {
  if (settings.tls) {
    const { key, cert, ca } = settings.tls;
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8'), ...(ca ? { ca: await readFile(ca, 'utf8') } : {}) };
  }
  const directory = join(data, 'tls');
  const keyPath = join(directory, 'self-signed.key');
  const certPath = join(directory, 'self-signed.crt');
  try {
    return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') };
  } catch {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const pair = await selfSignedCertificate(hostname());
    await writeFile(keyPath, pair.key, { mode: 0o600 });
    await writeFile(certPath, pair.cert, { mode: 0o644 });
    return pair;
  }
}
