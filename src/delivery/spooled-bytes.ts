import { randomBytes } from 'node:crypto';
import type { Envelope } from '../message/envelope.js';
import type { SmtpReply } from '../smtp/spooled-message.js';
import type { NextHop } from './next-hop.js';

/** Hands bytes the gateway made itself (an encrypted form, a released message) to the next hop, from memory. */
export async function deliverBytes(nextHop: NextHop, raw: Buffer, envelope: Envelope, prepend?: Buffer): Promise<SmtpReply> {
  const id = `made-${randomBytes(12).toString('hex')}`;
  return (await nextHop.deliver({ id, bytes: raw, sizeBytes: raw.length, envelope }, prepend)).reply;
}
