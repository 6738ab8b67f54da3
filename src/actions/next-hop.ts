import type { SmtpReply, SpooledMessage } from '../smtp/spooled-message.js';

/** The next hop's answer to one message, as the reply to give the client. */
export interface DeliveryResult {
  /** 250 only when the next hop accepted every recipient; otherwise 4xx or 5xx and nothing was sent. */
  readonly reply: SmtpReply;
}

/** Where delivered mail goes: the school's onward relay, or the trial-mode outbox. */
export interface NextHop {
  /**
   * Never rejects: every outcome, faults included, is a reply for the client. `prepend` holds header
   * lines this gateway adds (its trace header) before the original bytes, which go out unchanged.
   */
  deliver(message: SpooledMessage, prepend?: Buffer): Promise<DeliveryResult>;
  /** Resolves when a message could be handed on now (a session opened and greeted, TLS and login included); rejects otherwise. */
  probe(): Promise<void>;
  close(): Promise<void>;
  /** For the start-up log; holds no credentials. */
  readonly description: string;
}

export { smtpNextHop, type SmtpNextHopOptions } from './smtp-next-hop.js';
export { trialOutbox } from './trial-outbox.js';
