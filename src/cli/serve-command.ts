import { parseArgs } from 'node:util';
import { z } from 'zod';
import { configSchema, loadConfigFile, schoolSources, type Config } from '../config/config.js';
import { configFromEnvironment } from '../config/environment.js';
import { cidrSchema, hostPortSchema, gatewayFields } from '../config/gateway-config.js';
import { createLogger, isTerminal } from '../gateway/logger.js';
import { schoolFileFolders, SchoolFilesWatch } from '../gateway/school-files-watch.js';
import { startGateway, type GatewaySettings } from '../gateway/start-gateway.js';
import type { SchoolSources } from '../config/school-sources.js';
import { applySchoolFlags, SCHOOL_OPTIONS } from './scan-command.js';
import { untilSignalled } from './until-signalled.js';
import { UsageError } from './usage-error.js';

export const USAGE =
  'hallmonitor serve [--config FILE] [--listen HOST:PORT] [--next-hop smtp://HOST:PORT] [--allow CIDR ...] [--roster PUPILS.csv] [--staff STAFF.csv] [--domain D ...] [--rules DIR] [--data DIR] [--web HOST:PORT] [--tenant GUID ...] [--log-level LEVEL]';

/** How long the schools' files must be left alone before a reload: an export tool may write one in several goes. */
const FILES_QUIET_MS = 1_000;

/**
 * docs/architecture.md, "hallmonitor serve": runs until SIGTERM or SIGINT, then stops accepting, finishes the transactions in
 * flight and exits 0. With no configuration and no flags it runs on the embedded defaults. SIGHUP, or a
 * change to a roster, rule or configuration file (`reloadOnFileChange`), reloads the schools' rosters and
 * rules; a bad file is refused and the ones in force stay.
 */
export async function runServe(args: readonly string[]): Promise<number> {
  const settings = await settingsFrom(args);
  const configPath = parseFlags(args).values.config;
  const log = createLogger({ level: settings.logLevel, base: { service: 'hallmonitor' }, pretty: isTerminal() });
  // Listening from here: a SIGTERM while the gateway starts stops it gracefully once started, rather than killing it.
  const signalled = untilSignalled();
  const gateway = await startGateway(settings, log);
  const watch = settings.reloadOnFileChange
    ? new SchoolFilesWatch({
        quietMs: FILES_QUIET_MS,
        onSettled: () => reload('file-change'),
        onError: ({ code }) => log.warn({ code }, 'a folder of school files cannot be watched; SIGHUP still reloads'),
      })
    : undefined;
  watch?.aim(schoolFileFolders(settings.schools, configPath));
  // The configuration's schools, rosters and rules again, one reload at a time, whatever asked for it.
  let reloading = Promise.resolve();
  const reload = (cause: 'signal' | 'file-change') => {
    reloading = reloading.then(async () => {
      try {
        log.info({ cause }, 'reloading the schools');
        const schools = (await settingsFrom(args)).schools;
        // The files the configuration names now, so that fixing a refused file reloads again.
        watch?.aim(schoolFileFolders(schools, configPath));
        await gateway.reload(schools);
      } catch (error) {
        log.error({ code: (error as { code?: unknown }).code ?? 'reload-failed', problem: (error as Error).message.split('\n')[0] }, 'reload refused: the schools in force stay');
      }
    });
  };
  const onHangUp = () => reload('signal');
  process.on('SIGHUP', onHangUp);
  await signalled;
  process.off('SIGHUP', onHangUp);
  watch?.close();
  await reloading;
  await gateway.stop();
  return 0;
}

/** The configuration file (or the embedded defaults), with the command line's flags over it. */
export async function settingsFrom(args: readonly string[]): Promise<GatewaySettings> {
  const { values } = parseFlags(args);
  const config: Config = values.config ? await loadConfigFile(values.config) : configSchema.parse({});
  const { schools: _schools, rules: _rules, ...gateway } = config;
  const sources = values.config ? schoolSources(config, values.config) : [{ domains: [] }];
  return {
    ...gateway,
    ...configFromEnvironment(),
    ...(values.listen ? { listen: flag(hostPortSchema, values.listen, '--listen') } : {}),
    ...(values['next-hop'] ? { nextHop: flag(gatewayFields.nextHop, values['next-hop'], '--next-hop') } : {}),
    ...(values.allow ? { allow: values.allow.map((cidr) => flag(cidrSchema, cidr, '--allow')) } : {}),
    ...(values.data ? { data: values.data } : {}),
    ...(values.web ? { web: flag(hostPortSchema, values.web, '--web') } : {}),
    ...(values['log-level'] ? { logLevel: flag(gatewayFields.logLevel, values['log-level'], '--log-level') } : {}),
    schools: withTenants(
      applySchoolFlags(sources, values),
      values.tenant?.map((tenant) => flag(TENANT_ID, tenant, '--tenant')),
    ),
    alertRecipients: Object.fromEntries((config.schools ?? []).map((school) => [school.id, school.alerts])),
    schoolEncryption: Object.fromEntries((config.schools ?? []).map((school) => [school.id, school.encryption])),
  };
}

function parseFlags(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      options: {
        ...SCHOOL_OPTIONS,
        listen: { type: 'string' },
        'next-hop': { type: 'string' },
        allow: { type: 'string', multiple: true },
        data: { type: 'string' },
        web: { type: 'string' },
        tenant: { type: 'string', multiple: true },
        'log-level': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${USAGE}`);
  }
}

const TENANT_ID = z.guid('expected a Microsoft 365 Directory (tenant) ID, a GUID').transform((id) => id.toLowerCase());

/** `--tenant` binds every school on this gateway to these Microsoft 365 tenants, in place of the configuration's. */
function withTenants(schools: readonly SchoolSources[], tenants: readonly string[] | undefined): SchoolSources[] {
  return tenants === undefined ? [...schools] : schools.map((school) => ({ ...school, microsoft365TenantIds: tenants }));
}

function flag<Schema extends z.ZodType>(schema: Schema, value: string, name: string): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(`${name} ${value}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
