import { HallmonitorError } from '../errors/hallmonitor-error.js';
/** Why a recipient key was refused or not found; messages name the fingerprint or address, never key material. */
export type KeyErrorCode =
  /** Every self-signature has expired, or the key's only encryption subkeys have. */
  | 'key-expired'
  /** The key or all of its user ids have been revoked. */
  | 'key-revoked'
  /** No subkey can encrypt, or no user id carries an email address to match recipients against. */
  | 'key-unusable'
  /** Not OpenPGP at all, damaged, or a file that cannot be read. */
  | 'key-unreadable'
  /** `keys remove` named a fingerprint or address that is not in the keyring. */
  | 'key-not-found';

/** Raised by the recipient keyring; the administrator fixes the key and runs the command again. */
export class KeyError extends HallmonitorError {
  override readonly name = 'KeyError';
  readonly disposition = 'configuration';

  constructor(
    readonly code: KeyErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
