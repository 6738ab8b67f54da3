import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { SchoolSources } from './school-sources.js';
import { gatewayFields } from './gateway-config.js';
import { schoolsSchema } from './schools-config.js';
import { ConfigError, parseYamlFile } from './yaml-file.js';

/**
 * `hallmonitor.yaml`. Every default lives here or in the schemas it uses (`GATEWAY_DEFAULTS`);
 * paths are relative to the file.
 */
export const configSchema = z.strictObject({
  ...gatewayFields,
  rules: z.string().min(1).optional().describe('The base rule folder for every school. Absent: the shipped rules/.'),
  schools: schoolsSchema.optional().describe('The schools on this gateway. Absent: one school whose domains come from --domain.'),
});

export type Config = z.output<typeof configSchema>;

export async function loadConfigFile(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, undefined, undefined, `cannot read the configuration file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseYamlFile(configSchema, text, path, ConfigError);
}

/**
 * The schools of a configuration as load sources, with paths resolved against the file's folder;
 * without a `schools` list, one school whose domains come from the command line.
 */
export function schoolSources(config: Config, configPath: string): SchoolSources[] {
  const at = (path: string | undefined) => (path === undefined ? undefined : resolve(dirname(configPath), path));
  if (!config.schools) return [{ id: 'default', domains: [], rulesDirectory: at(config.rules) }];
  return config.schools.map((school) => ({
    id: school.id,
    name: school.name,
    domains: school.domains,
    microsoft365TenantIds: school.microsoft365TenantIds,
    ...(school.allow ? { allow: school.allow } : {}),
    rosterPath: at(school.roster),
    staffPath: at(school.staff),
    rulesDirectory: at(config.rules),
    overridesDirectory: at(school.rules),
    staffGroups: school.staffGroups,
    phoneNumbers: school.phoneNumbers,
    postcodes: school.postcodes,
    ocr: school.ocr,
  }));
}
