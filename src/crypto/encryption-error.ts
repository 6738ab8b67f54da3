import { HallmonitorError } from '../errors/hallmonitor-error.js';

/**
 * Encryption could not be completed for every recipient: no usable key and no way to hand over a
 * passphrase, or an OpenPGP failure. The gateway answers 451 and the sending service retries; a
 * message that should be encrypted never goes out in clear instead.
 */
export class EncryptionError extends HallmonitorError {
  override readonly name = 'EncryptionError';
  readonly code = 'encryption-failed';
  readonly disposition = 'temporary';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
