import MailComposer from 'nodemailer/lib/mail-composer';
import type { MailComposerOptions } from 'nodemailer/lib/mail-composer';

/** Invented people only (STYLE: fixtures never carry real names). */
export const SENDER = 'Ms Ada Teacher <ada.teacher@example-school.sch.uk>';
export const PARENT = 'Parent Person <parent.person@example.net>';

/** Builds a real MIME message the way a mail client would. */
export function compose(options: MailComposerOptions): Promise<Buffer> {
  return new MailComposer({ from: SENDER, to: PARENT, ...options }).compile().build();
}

/** A hand-written message, lines joined with CRLF as on the wire. */
export function rawMessage(...lines: string[]): Buffer {
  return Buffer.from(lines.join('\r\n'), 'latin1');
}
