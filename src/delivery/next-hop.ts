import type { Envelope } from '../message/envelope.js';
import type { SmtpReply, SpooledContent } from '../smtp/spooled-message.js';

/** The next hop's answer to one message, as the reply to give the client. */
export interface DeliveryResult {
  /** 250 only when the next hop accepted every recipient; otherwise 4xx or 5xx and nothing was sent. */
  readonly reply: SmtpReply;
}

/**
 * What a delivery needs: an id (for logs, and the trial outbox's file name), the envelope, and the bytes, in
 * memory or in a spool file, with their size (for SIZE, RFC 1870). A received message is one; so is mail the
 * gateway makes itself (an encrypted form, a release, a notice).
 */
export type Outbound = { readonly id: string; readonly envelope: Envelope; readonly sizeBytes: number } & SpooledContent;

/** Where delivered mail goes: the school's onward relay, or the trial-mode outbox. */
export interface NextHop {
  /**
   * Never rejects: every outcome, faults included, is a reply for the client. `prepend` holds header
   * lines this gateway adds (its trace header) before the original bytes, which go out unchanged.
   */
  deliver(message: Outbound, prepend?: Buffer): Promise<DeliveryResult>;
  /** Resolves when a message could be handed on now (a session opened and greeted, TLS and login included); rejects otherwise. */
  probe(): Promise<void>;
  close(): Promise<void>;
  /** For the start-up log; holds no credentials. */
  readonly description: string;
}

export { smtpNextHop, type SmtpNextHopOptions } from './smtp-next-hop.js';
export { trialOutbox } from './trial-outbox.js';
