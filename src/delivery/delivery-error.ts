import { HallmonitorError, type Disposition } from '../errors/hallmonitor-error.js';

export type DeliveryErrorCode = 'next-hop-url' | 'outbox-id' | 'notice-queue-unavailable' | 'notice-deferred' | 'notice-refused';

const DISPOSITIONS: Record<DeliveryErrorCode, Disposition> = {
  'next-hop-url': 'configuration',
  'outbox-id': 'temporary',
  'notice-queue-unavailable': 'temporary',
  'notice-deferred': 'temporary',
  'notice-refused': 'permanent',
};

/**
 * Mail could not be handed on: the next hop's address is unusable, the trial outbox could not be written, or
 * the gateway's own mail (notices, alerts) could not be queued or was deferred or refused. The message says
 * what went wrong without any message content.
 */
export class DeliveryError extends HallmonitorError {
  readonly code: DeliveryErrorCode;
  readonly disposition: Disposition;

  constructor(code: DeliveryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryError';
    this.code = code;
    this.disposition = DISPOSITIONS[code];
  }
}
