import { createHmac } from 'node:crypto';
import type { Envelope } from '../message/envelope.js';

/**
 * The same for every try of one message (its envelope and body), unlike the spool id: a client retrying after
 * a 451 finds its quarantine record and its jobs already there, so nothing is held, notified or alerted twice.
 * Keyed with the deployment's secret, so the id in a review link says nothing about the message; hex, so it
 * never starts with '-' and reads as a command-line option.
 */
export function messageKey(secret: Buffer, envelope: Envelope, bodyHash: string): string {
  return createHmac('sha256', secret)
    .update(`message-key;${envelope.mailFrom};${envelope.rcptTo.join(',')};${bodyHash}`)
    .digest('hex')
    .slice(0, 32);
}
