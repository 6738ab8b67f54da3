/** What to do about a store error: fix the configuration or the key, or fix the call (a bad id, an unknown record). */
export type StoreErrorDisposition = 'config' | 'caller';

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

const DISPOSITIONS: Record<StoreErrorCode, StoreErrorDisposition> = {
  'key-invalid': 'config',
  'key-file-unsafe': 'config',
  'key-mismatch': 'config',
  'database-url': 'config',
  'migration-failed': 'config',
  'invalid-record': 'caller',
  'not-found': 'caller',
};

/** A store failure; the message names files, codes and ids, never message content. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly disposition: StoreErrorDisposition;

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.disposition = DISPOSITIONS[code];
  }
}
