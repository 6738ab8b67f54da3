import { resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { openStore } from './open-store.js';
import { loadOrCreateKeyFile, parseQuarantineKey } from './quarantine-key.js';
import type { Store } from './store.js';

/** The settings that say where the store is and how it is sealed. */
export type StoreSettings = Pick<Config, 'data' | 'database' | 'quarantineKey'> & Partial<Pick<Config, 'quarantineKeyVersion' | 'retiredQuarantineKeys'>>;

/** The store as `serve`, `worker` and the administration commands all open it: one place, so they always agree. */
export function openConfiguredStore(settings: StoreSettings): Promise<Store> {
  return openStore({
    dataDir: resolve(settings.data),
    ...(settings.database ? { databaseUrl: settings.database } : {}),
    ...(settings.quarantineKey ? { key: settings.quarantineKey } : {}),
    ...(settings.quarantineKeyVersion ? { keyVersion: settings.quarantineKeyVersion } : {}),
    ...(settings.retiredQuarantineKeys ? { retiredKeys: settings.retiredQuarantineKeys } : {}),
  });
}

/**
 * The store's current key as configured (or the key file), for what else must be sealed with a key that never
 * leaves the gateway's own files: the queue jobs in Redis (src/queue/job-seal.ts) and the audit chain.
 */
export async function configuredStoreKey(settings: Pick<Config, 'data' | 'quarantineKey'>): Promise<Buffer> {
  return settings.quarantineKey ? parseQuarantineKey(settings.quarantineKey) : loadOrCreateKeyFile(resolve(settings.data));
}
