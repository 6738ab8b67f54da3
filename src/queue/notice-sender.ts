import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { ActionError } from '../actions/errors.js';
import type { NextHop } from '../actions/next-hop.js';
import type { RenderedNotice } from '../policy/notice-templates.js';
import type { SpooledMessage } from '../smtp/spooled-message.js';

export interface NoticeSenderOptions {
  /** Where a composed notice waits while it is handed on (default the OS temp directory); removed after. */
  readonly spoolDirectory?: string;
}

/**
 * Sends a rendered notice as its own email, to the sender only, through the next hop (or the trial outbox),
 * from `from`: a postmaster-style address whose replies reach a person.
 */
export function noticeSender(
  nextHop: NextHop,
  from = `postmaster@${hostname()}`,
  options: NoticeSenderOptions = {},
): (notice: RenderedNotice) => Promise<void> {
  const spoolDirectory = options.spoolDirectory ?? tmpdir();
  return async (notice) => {
    const id = `notice-${randomBytes(12).toString('hex')}`;
    const path = join(spoolDirectory, `${id}.eml`);
    const bytes = await composeNotice(from, notice);
    await writeFile(path, bytes, { mode: 0o600 });
    try {
      const { reply } = await nextHop.deliver(noticeMessage(id, path, bytes.length, notice.to));
      if (reply.code >= 500) throw new ActionError('notice-refused', `the next hop refused the notice (${reply.code})`);
      if (reply.code !== 250) throw new ActionError('notice-deferred', `the next hop deferred the notice (${reply.code})`);
    } finally {
      await rm(path, { force: true });
    }
  };
}

function composeNotice(from: string, notice: RenderedNotice): Promise<Buffer> {
  const composer = new MailComposer({
    from,
    to: notice.to,
    subject: notice.subject,
    text: notice.text,
    html: notice.html,
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

/** RFC 5321 §4.5.5: a notification goes out with the null reverse path, so a failure to deliver it never loops back. */
function noticeMessage(id: string, path: string, sizeBytes: number, to: string): SpooledMessage {
  return {
    id,
    path,
    sizeBytes,
    envelope: { mailFrom: '', rcptTo: [to] },
    client: { address: '127.0.0.1', hostname: hostname(), secure: true, user: undefined },
  };
}
