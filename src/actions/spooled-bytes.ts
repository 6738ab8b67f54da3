import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Envelope } from '../message/envelope.js';
import type { SmtpReply } from '../smtp/spooled-message.js';
import type { NextHop } from './next-hop.js';

/**
 * Hands bytes the gateway made itself (an encrypted form, a released message) to the next hop: spooled to a
 * private file for the length of the delivery, since the next hop streams from the spool.
 */
export async function deliverBytes(nextHop: NextHop, spoolDirectory: string, raw: Buffer, envelope: Envelope, prepend?: Buffer): Promise<SmtpReply> {
  const id = `made-${randomBytes(12).toString('hex')}`;
  const path = join(spoolDirectory, `${id}.eml`);
  await writeFile(path, raw, { mode: 0o600 });
  try {
    const message = { id, path, sizeBytes: raw.length, envelope, client: { address: '127.0.0.1', hostname: 'hallmonitor', secure: true, user: undefined } };
    return (await nextHop.deliver(message, prepend)).reply;
  } finally {
    await rm(path, { force: true });
  }
}
