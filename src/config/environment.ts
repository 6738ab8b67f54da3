import { gatewayFields } from './gateway-config.js';
import { ConfigError } from './yaml-file.js';

/** Secrets may come from the environment (a systemd credential, a container secret) rather than a file; they win over it. */
export const SECRET_VARIABLES = {
  HALLMONITOR_DATABASE_URL: 'database',
  HALLMONITOR_QUARANTINE_KEY: 'quarantineKey',
  HALLMONITOR_NEXT_HOP_PASSWORD: 'nextHopPassword',
  HALLMONITOR_ENTRA_CLIENT_SECRET: 'entraIdClientSecret',
  /** The Redis URL with its password (and ACL user): `redis://USER:PASSWORD@HOST:PORT` or `rediss://…`. */
  HALLMONITOR_REDIS_URL: 'redis',
  HALLMONITOR_METRICS_TOKEN: 'metricsToken',
} as const;

type SecretField = (typeof SECRET_VARIABLES)[keyof typeof SECRET_VARIABLES];

/** The secrets set in `environment`, validated like the file's fields; a bad value names its variable, never its value. */
export function secretsFromEnvironment(environment: NodeJS.ProcessEnv): Partial<Record<SecretField, string>> {
  const secrets: Partial<Record<SecretField, string>> = {};
  for (const [variable, field] of Object.entries(SECRET_VARIABLES)) {
    const value = environment[variable];
    if (value === undefined || value === '') continue;
    const parsed = gatewayFields[field].safeParse(value);
    if (!parsed.success || parsed.data === undefined) {
      throw new ConfigError('environment', undefined, variable, parsed.error?.issues[0]?.message ?? 'invalid');
    }
    secrets[field] = parsed.data;
  }
  return secrets;
}
