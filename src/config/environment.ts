import { availableParallelism } from 'node:os';
import type { Config } from './config.js';
import { gatewayFields } from './gateway-config.js';
import { ConfigError } from './yaml-file.js';

/**
 * Every setting read from the environment is read here, nowhere else, with its default. Two kinds:
 * configuration fields the environment may set over the file (secrets, better kept out of it, and the log
 * level, which an operator changes for one run), and settings of the process that have no place in the file.
 */

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

/** Configuration fields that are not secrets but may be set for one run from the environment, over the file. */
export const SETTING_VARIABLES = {
  HALLMONITOR_LOG_LEVEL: 'logLevel',
} as const;

/** Every variable that stands for a configuration field, and the field. */
export const FIELD_VARIABLES = { ...SECRET_VARIABLES, ...SETTING_VARIABLES } as const;

type SecretField = (typeof SECRET_VARIABLES)[keyof typeof SECRET_VARIABLES];
type FieldVariable = keyof typeof FIELD_VARIABLES;
type FieldFromEnvironment = (typeof FIELD_VARIABLES)[FieldVariable];

/** The secrets set in `environment`, validated like the file's fields; a bad value names its variable, never its value. */
export function secretsFromEnvironment(environment: NodeJS.ProcessEnv = process.env): Partial<Pick<Config, SecretField>> {
  return fieldsOf(environment, Object.keys(SECRET_VARIABLES) as (keyof typeof SECRET_VARIABLES)[]);
}

/** The configuration fields `environment` sets (secrets and the log level), to lay over the file's. */
export function configFromEnvironment(environment: NodeJS.ProcessEnv = process.env): Partial<Pick<Config, FieldFromEnvironment>> {
  return fieldsOf(environment, Object.keys(FIELD_VARIABLES) as FieldVariable[]);
}

function fieldsOf(environment: NodeJS.ProcessEnv, variables: readonly FieldVariable[]): Partial<Pick<Config, FieldFromEnvironment>> {
  const fields: Partial<Pick<Config, FieldFromEnvironment>> = {};
  for (const variable of variables) {
    const value = environment[variable];
    if (value === undefined || value === '') continue;
    const field = FIELD_VARIABLES[variable];
    const parsed = gatewayFields[field].safeParse(value);
    if (!parsed.success || parsed.data === undefined) {
      throw new ConfigError('environment', undefined, variable, parsed.error?.issues[0]?.message ?? 'invalid');
    }
    Object.assign(fields, { [field]: parsed.data });
  }
  return fields;
}

/** Settings of this process that only the environment gives. */
export interface ProcessSettings {
  /** HALLMONITOR_SCAN_WORKERS: scan threads; default one per core but the event loop's (docs/benchmarks.md). */
  readonly scanWorkers: number;
  /** HALLMONITOR_TRACE_SECRET: the loop-guard secret shared by a deployment's gateways; absent: a key file under DATA/keys. */
  readonly traceSecret: string | undefined;
}

export function processSettings(environment: NodeJS.ProcessEnv = process.env): ProcessSettings {
  return {
    scanWorkers: wholeNumber(environment, 'HALLMONITOR_SCAN_WORKERS') ?? Math.max(1, availableParallelism() - 1),
    traceSecret: environment.HALLMONITOR_TRACE_SECRET || undefined,
  };
}

function wholeNumber(environment: NodeJS.ProcessEnv, variable: string): number | undefined {
  const text = environment[variable];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigError('environment', undefined, variable, 'expected a whole number of at least 1');
  return value;
}
