import type { SmtpReply } from '../smtp/spooled-message.js';

/** What the caller should do about an error: retry later, refuse for good, or fix the configuration. */
export type ErrorDisposition = 'tempfail' | 'reject' | 'config';

export type ActionErrorCode =
  | 'next-hop-url'
  | 'outbox-id'
  | 'notice-queue-unavailable'
  | 'notice-deferred'
  | 'notice-refused';

const DISPOSITIONS: Record<ActionErrorCode, ErrorDisposition> = {
  'next-hop-url': 'config',
  'outbox-id': 'tempfail',
  'notice-queue-unavailable': 'tempfail',
  'notice-deferred': 'tempfail',
  'notice-refused': 'reject',
};

/** A failure while acting on a verdict; the message says what went wrong without any message content. */
export class ActionError extends Error {
  readonly code: ActionErrorCode;
  readonly disposition: ErrorDisposition;

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
export class ActionStepFailed extends Error {
  readonly reply: SmtpReply;

  constructor(reply: SmtpReply, cause: unknown) {
    super(reply.message, { cause });
    this.name = 'ActionStepFailed';
    this.reply = reply;
  }
}
