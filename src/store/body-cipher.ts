import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { StoreError } from './errors.js';

const ALGORITHM = 'aes-256-gcm';
export const KEY_BYTES = 32;
// NIST SP 800-38D §8.2.2: a random 96-bit nonce per message keeps the collision risk negligible.
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES + TAG_BYTES;

/** One AES-256 key and the version byte that marks what it sealed, so keys can rotate. */
export interface VersionedKey {
  /** 1–255; written as the first byte of every ciphertext sealed with this key. */
  readonly version: number;
  readonly key: Buffer;
}

/**
 * AES-256-GCM for what the store keeps secret. A sealed value is
 * `version (1 byte) ‖ nonce (12) ‖ tag (16) ‖ ciphertext`; the associated data (the record id and the
 * field) binds it to its place, so a ciphertext copied to another record or field does not open.
 */
export class BodyCipher {
  readonly #current: VersionedKey;
  readonly #byVersion: ReadonlyMap<number, Buffer>;

  /** `current` seals; `retired` keys only open what older versions sealed. */
  constructor(current: VersionedKey, retired: readonly VersionedKey[] = []) {
    for (const { version, key } of [current, ...retired]) {
      if (!Number.isInteger(version) || version < 1 || version > 255) {
        throw new StoreError('key-invalid', `quarantine key version ${version} is not an integer from 1 to 255`);
      }
      if (key.length !== KEY_BYTES) throw new StoreError('key-invalid', `quarantine key version ${version} is not ${KEY_BYTES} bytes`);
    }
    this.#current = current;
    this.#byVersion = new Map([...retired, current].map(({ version, key }) => [version, key]));
  }

  get currentVersion(): number {
    return this.#current.version;
  }

  get versions(): readonly number[] {
    return [...this.#byVersion.keys()];
  }

  /**
   * A key of its own for another use of a key version (RFC 5869 HKDF-SHA-256, `info` naming the use), so the
   * quarantine key never serves two purposes directly; undefined when that version is not configured.
   */
  derive(info: string, version = this.#current.version): Buffer | undefined {
    const key = this.#byVersion.get(version);
    return key ? Buffer.from(hkdfSync('sha256', key, 'hallmonitor', info, KEY_BYTES)) : undefined;
  }

  seal(plain: Buffer, associatedData: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#current.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([this.#current.version]), nonce, cipher.getAuthTag(), body]);
  }

  /** Throws `key-mismatch` rather than ever returning bytes the key did not seal. */
  open(sealed: Buffer, associatedData: string): Buffer {
    if (sealed.length < HEADER_BYTES) throw new StoreError('key-mismatch', 'a sealed value is truncated');
    const version = sealed[0]!;
    const key = this.#byVersion.get(version);
    if (!key) {
      throw new StoreError('key-mismatch', `this record was sealed with quarantine key version ${version}, which is not configured`);
    }
    const decipher = createDecipheriv(ALGORITHM, key, sealed.subarray(1, 1 + NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(sealed.subarray(1 + NONCE_BYTES, HEADER_BYTES));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]);
    } catch (error) {
      throw new StoreError('key-mismatch', `quarantine key version ${version} does not open this record: the key is wrong or the record was altered`, { cause: error });
    }
  }
}
