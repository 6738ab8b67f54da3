import { renderDocument } from '../compose/mail-document.js';
import type { RenderedNotice } from '../policy/notice-templates.js';
import type { PassphraseNotice } from './encrypt-message.js';

/**
 * The note that tells the sender a generated passphrase, to pass on by phone or text. It goes to the
 * sender only and names the recipients, never the message's subject or content. The gateway keeps no
 * other copy: if this note is lost, the sender asks the recipient to reply and sends again.
 */
export function renderPassphraseNotice(sender: string, notice: PassphraseNotice): RenderedNotice {
  const recipients = notice.recipients.join(', ');
  return {
    to: sender,
    ...renderDocument({
      subject: 'Hallmonitor: the passphrase for your secure message',
      blocks: [
        { paragraph: 'Hello,' },
        { paragraph: `Your message to ${recipients} was sent encrypted, as a secure message (a password-protected PDF or web page) that they open on their phone or computer.` },
        { paragraph: 'They need this passphrase to open it:' },
        { code: notice.passphrase },
        { paragraph: 'Please give it to them by phone or text message, never by email: anyone who has both the email and the passphrase can read the message.' },
        { small: 'This note went only to you, and the passphrase is kept nowhere else.' },
      ],
    }),
  };
}
