import { HallmonitorError } from '../errors/hallmonitor-error.js';

/** Why a message could not be read at all, and what the caller should do about it. */
export type MessageReadErrorCode =
  /** The stream the message came from failed; the sender should retry (SMTP 451). */
  | 'source-failed'
  /** The limits passed in are not usable; fix the configuration. */
  | 'invalid-limits';

const DISPOSITIONS = { 'source-failed': 'temporary', 'invalid-limits': 'configuration' } as const;

/**
 * Thrown only when there is no message to judge. Anything wrong with the message itself is
 * returned as `problems` or attachment facts instead, so that the policy decides.
 */
export class MessageReadError extends HallmonitorError {
  override readonly name = 'MessageReadError';
  readonly disposition: (typeof DISPOSITIONS)[MessageReadErrorCode];

  constructor(
    readonly code: MessageReadErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.disposition = DISPOSITIONS[code];
  }
}
