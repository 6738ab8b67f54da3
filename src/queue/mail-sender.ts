import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { ActionError } from '../actions/errors.js';
import type { NextHop } from '../actions/next-hop.js';
import type { SpooledMessage } from '../smtp/spooled-message.js';
import { mailMessageId, type OutgoingMail } from './outgoing-mail.js';

export interface MailSenderOptions {
  /** Where a composed mail waits while it is handed on (default the OS temp directory); removed after. */
  readonly spoolDirectory?: string;
}

/** Sends one queued mail; rejects with ActionError `notice-refused` (for good) or `notice-deferred` (try again). */
export type SendMail = (mail: OutgoingMail) => Promise<void>;

/**
 * The one way the gateway sends mail of its own, whatever the kind: composed with a Message-ID made from
 * the job id, from `from` (a postmaster-style address whose replies reach a person), through the next hop
 * or the trial outbox.
 */
export function mailSender(nextHop: NextHop, from = `postmaster@${hostname()}`, options: MailSenderOptions = {}): SendMail {
  const spoolDirectory = options.spoolDirectory ?? tmpdir();
  return async (mail) => {
    const bytes = await composeMail(from, mail);
    const path = join(spoolDirectory, `${mail.id}.${randomBytes(6).toString('hex')}.eml`);
    await writeFile(path, bytes, { mode: 0o600 });
    try {
      const { reply } = await nextHop.deliver(spooled(mail, path, bytes.length));
      if (reply.code >= 500) throw new ActionError('notice-refused', `the next hop refused the ${mail.kind} (${reply.code})`);
      if (reply.code !== 250) throw new ActionError('notice-deferred', `the next hop deferred the ${mail.kind} (${reply.code})`);
    } finally {
      await rm(path, { force: true });
    }
  };
}

function composeMail(from: string, mail: OutgoingMail): Promise<Buffer> {
  const composer = new MailComposer({
    from,
    to: [...mail.to],
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mailMessageId(mail.id, from),
    headers: {
      // RFC 3834 §5: an automatic message, so vacation responders and the like stay quiet.
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
    },
  });
  return new Promise((resolve, reject) => {
    composer.compile().build((error, message) => (error ? reject(error) : resolve(message)));
  });
}

/**
 * RFC 5321 §4.5.5: a notification goes out with the null reverse path, so a failure to deliver it never
 * loops back. The job id is the spool id, so in trial mode a mail sent twice overwrites its own file.
 */
function spooled(mail: OutgoingMail, path: string, sizeBytes: number): SpooledMessage {
  return {
    id: mail.id,
    path,
    sizeBytes,
    envelope: { mailFrom: '', rcptTo: [...mail.to] },
    client: { address: '127.0.0.1', hostname: hostname(), secure: true, user: undefined },
  };
}
