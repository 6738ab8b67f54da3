import { createHmac } from 'node:crypto';
import type { Envelope } from '../message/envelope.js';

/**
 * The same for every try of one message (its envelope and its bytes, header included), unlike the spool id: a
 * client retrying after a 451 finds its quarantine record and its jobs already there, so nothing is held,
 * notified or alerted twice. The header counts: two messages with the same text but another Subject or
 * Message-ID are two messages, and the second must not be taken for a retry of the first (it would be lost).
 * Keyed with the deployment's secret, so the id in a review link says nothing about the message; hex, so it
 * never starts with '-' and reads as a command-line option.
 */
export function messageKey(secret: Buffer, envelope: Envelope, messageHash: string): string {
  return createHmac('sha256', secret)
    .update(`message-key;${envelope.mailFrom};${envelope.rcptTo.join(',')};${messageHash}`)
    .digest('hex')
    .slice(0, 32);
}
