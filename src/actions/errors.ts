import { HallmonitorError } from '../errors/hallmonitor-error.js';
import type { SmtpReply } from '../smtp/spooled-message.js';

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
