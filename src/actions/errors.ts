import { HallmonitorError, type Disposition } from '../errors/hallmonitor-error.js';
import type { SmtpReply } from '../smtp/spooled-message.js';

export type ActionErrorCode =
  | 'next-hop-url'
  | 'outbox-id'
  | 'notice-queue-unavailable'
  | 'notice-deferred'
  | 'notice-refused';

const DISPOSITIONS: Record<ActionErrorCode, Disposition> = {
  'next-hop-url': 'configuration',
  'outbox-id': 'temporary',
  'notice-queue-unavailable': 'temporary',
  'notice-deferred': 'temporary',
  'notice-refused': 'permanent',
};

/** A failure while acting on a verdict; the message says what went wrong without any message content. */
export class ActionError extends HallmonitorError {
  readonly code: ActionErrorCode;
  readonly disposition: Disposition;

  constructor(code: ActionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ActionError';
    this.code = code;
    this.disposition = DISPOSITIONS[code];
  }
}

/**
 * A step the reply waits on failed (recording the decision or its alerts, queueing its mail): the client is
 * answered `reply`, a 451, and its retry repeats the step. `cause` says what failed, for the log.
 */
export class ActionStepFailed extends HallmonitorError {
  readonly code = 'action-step-failed';
  readonly disposition = 'temporary';
  readonly reply: SmtpReply;

  constructor(reply: SmtpReply, cause: unknown) {
    super(reply.message, { cause });
    this.name = 'ActionStepFailed';
    this.reply = reply;
  }
}
