import { HallmonitorError, type Disposition } from '../errors/hallmonitor-error.js';

export type StoreErrorCode =
  /** The configured quarantine key is not 32 bytes of base64 or hex. */
  | 'key-invalid'
  /** The key file exists but others may read it, or it holds no usable key. */
  | 'key-file-unsafe'
  /** The key does not open what this database was written with: wrong key, or a retired key not configured. */
  | 'key-mismatch'
  /** The database URL is neither `postgres://` nor `postgresql://`, or a schema name is unusable. */
  | 'database-url'
  /** Migrations failed at start. */
  | 'migration-failed'
  /** A caller-given id or field is unusable. */
  | 'invalid-record'
  /** No quarantine record with that id (or its body was destroyed by retention). */
  | 'not-found';

/** Fix the configuration or the key, or the call is refused for good (a bad id, an unknown record). */
const DISPOSITIONS: Record<StoreErrorCode, Disposition> = {
  'key-invalid': 'configuration',
  'key-file-unsafe': 'configuration',
  'key-mismatch': 'configuration',
  'database-url': 'configuration',
  'migration-failed': 'configuration',
  'invalid-record': 'permanent',
  'not-found': 'permanent',
};

/** A store failure; the message names files, codes and ids, never message content. */
export class StoreError extends HallmonitorError {
  override readonly name = 'StoreError';
  readonly disposition: Disposition;

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.disposition = DISPOSITIONS[code];
  }
}
