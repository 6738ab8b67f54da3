import { hostname } from 'node:os';
import MailComposer from 'nodemailer/lib/mail-composer';
import { DeliveryError } from '../delivery/delivery-error.js';
import type { NextHop } from '../delivery/next-hop.js';
import { mailMessageId, type OutgoingMail } from './outgoing-mail.js';

/** Sends one queued mail; rejects with DeliveryError `notice-refused` (for good) or `notice-deferred` (try again). */
export type SendMail = (mail: OutgoingMail) => Promise<void>;

/**
 * The one way the gateway sends mail of its own, whatever the kind: composed with a Message-ID made from
 * the job id, from `from` (a postmaster-style address whose replies reach a person), through the next hop
 * or the trial outbox.
 */
export function mailSender(nextHop: NextHop, from = `postmaster@${hostname()}`): SendMail {
  return async (mail) => {
    const bytes = await composeMail(from, mail);
    // RFC 5321 §4.5.5: the null reverse path, so a failure to deliver it never loops back. The job id is the
    // delivery's id, so in trial mode a mail sent twice overwrites its own file.
    const { reply } = await nextHop.deliver({ id: mail.id, bytes, sizeBytes: bytes.length, envelope: { mailFrom: '', rcptTo: [...mail.to] } });
    if (reply.code >= 500) throw new DeliveryError('notice-refused', `the next hop refused the ${mail.kind} (${reply.code})`);
    if (reply.code !== 250) throw new DeliveryError('notice-deferred', `the next hop deferred the ${mail.kind} (${reply.code})`);
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
