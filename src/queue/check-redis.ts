import { redisClient, type RedisAddress } from './redis-connections.js';

export type RedisCheck =
  | { readonly ok: true; readonly version: string /** Worth saying at start, not worth refusing to run. */; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

export interface RedisCheckOptions {
  /** How long to wait for Redis to answer (default 3 s). */
  readonly timeoutMs?: number;
}

/**
 * BullMQ refuses Redis older than 5.0.0 and recommends 6.2.0 or later (bullmq `RedisConnection.minimumVersion`
 * and `recommendedMinimumVersion`); it only warns about an evicting policy, but eviction would silently drop
 * queued alerts and notices, so here that is a problem.
 */
const MINIMUM_VERSION = '5.0.0';
const RECOMMENDED_VERSION = '6.2.0';

/** Whether Redis at `address` can carry the queues; every problem in words an administrator can act on. */
export async function checkRedisForQueues(address: string | RedisAddress, options: RedisCheckOptions = {}): Promise<RedisCheck> {
  const where = withoutCredentials(typeof address === 'string' ? address : address.url);
  const timeoutMs = options.timeoutMs ?? 3_000;
  const redis = redisClient(address, { lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // ioredis rejects with "Connection is closed" once it gives up; the cause is in the error it emitted before.
  let cause: unknown;
  redis.on('error', (error: unknown) => {
    cause ??= error;
  });
  let info: string;
  try {
    await redis.connect();
    info = await redis.info();
  } catch (error) {
    return { ok: false, problems: [unreachable(where, cause ?? error)] };
  } finally {
    redis.disconnect();
  }
  return judge(where, parseInfo(info));
}

/** Pure: the verdict on one `INFO` reply. */
export function judge(where: string, info: ReadonlyMap<string, string>): RedisCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  const version = info.get('valkey_version') ?? info.get('redis_version') ?? '0.0.0';
  if (compareVersions(version, MINIMUM_VERSION) < 0) {
    problems.push(
      `Redis at ${where} is version ${version}; the queues (BullMQ) need ${MINIMUM_VERSION} or later, and ${RECOMMENDED_VERSION} or later is recommended. Upgrade Redis.`,
    );
  } else if (compareVersions(version, RECOMMENDED_VERSION) < 0) {
    warnings.push(`Redis at ${where} is version ${version}; BullMQ recommends ${RECOMMENDED_VERSION} or later.`);
  }
  const policy = info.get('maxmemory_policy');
  if (policy !== undefined && policy !== 'noeviction') {
    problems.push(`Redis at ${where} evicts keys under memory pressure (maxmemory-policy ${policy}); queued alerts could be lost. Set maxmemory-policy noeviction.`);
  }
  if (info.get('cluster_enabled') === '1') problems.push(`Redis at ${where} is a cluster; the queues need a single Redis (or a primary with replicas).`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, version, warnings };
}

export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

function unreachable(where: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(message)) {
    return `Redis at ${where} refused the credentials (or needs some): put them in the URL, redis://USER:PASSWORD@HOST:PORT.`;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && isCertificateCode(code)) {
    return `Redis at ${where} presented a certificate that does not verify (${code}): name the CA that signed it in redisTls.ca, and connect by a name the certificate holds.`;
  }
  return `Redis at ${where} does not answer (${typeof code === 'string' ? code : message}); start it, or set \`redis:\` in the configuration to one that runs.`;
}

/** Node's codes for a TLS peer whose certificate chain or name does not verify (tls.connect, X509_V_ERR_*). */
export function isCertificateCode(code: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME_INVALID|LEAF_SIGNATURE/.test(code);
}

/** The URL for messages: a password in it must never reach a log. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'the configured address';
  }
}

function compareVersions(a: string, b: string): number {
  const parts = (version: string) => version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let index = 0; index < 3; index += 1) {
    const difference = (x[index] ?? 0) - (y[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
