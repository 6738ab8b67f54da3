import { resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { openStore } from './open-store.js';
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
