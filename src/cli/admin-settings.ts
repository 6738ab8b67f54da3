import { userInfo } from 'node:os';
import { configSchema, loadConfigFile, type Config } from '../config/config.js';
import { secretsFromEnvironment } from '../config/environment.js';

/** The options every administration command takes (docs/architecture.md, "Administration commands"). */
export const ADMIN_OPTIONS = {
  config: { type: 'string' },
  data: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The configuration as `serve` would read it: the file or the embedded defaults, `--data` over it, secrets from the environment. */
export async function adminSettings(values: { config?: string | undefined; data?: string | undefined }): Promise<Config> {
  const config = values.config ? await loadConfigFile(values.config) : configSchema.parse({});
  return { ...config, ...(values.data ? { data: values.data } : {}), ...secretsFromEnvironment() };
}

/** The audit log's "who" for the command line: the operating-system account that ran it. */
export function operator(): string {
  return `cli:${userInfo().username}`;
}
