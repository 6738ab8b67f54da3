import { CLOSING_TO_SENDER, renderDocument, type MailBlock } from '../compose/mail-document.js';
import type { NoticeContent, SenderLink } from './sender-notice.js';

/** A note to the sender as an email: friendly, short, and only to them. */
export interface RenderedNotice {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const SECURE_ADVICE = 'If these details must stay in, send it securely instead: add [secure] to the subject and it will be encrypted on its way.';
const UK_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', dateStyle: 'medium', timeStyle: 'short' });

/** The sender notice: what was found and why it matters, the rewrite suggested, and the link to send it anyway where the rule allows. */
export function renderNotice(notice: NoticeContent): RenderedNotice {
  const blocks: MailBlock[] = [
    { paragraph: 'Hello,' },
    { strong: `${notice.headline}.` },
    { notes: notice.reasons.map(({ reason, clause }) => ({ text: `${reason}.`, note: clause })) },
  ];
  if (notice.found.length > 0) blocks.push({ paragraph: 'What we noticed:' }, { list: notice.found });
  if (notice.moveToBcc.length > 0) blocks.push({ paragraph: 'Move these addresses to Bcc so that nobody sees the others:' }, { list: notice.moveToBcc });
  if (notice.rewrite) blocks.push({ paragraph: 'A version you could send instead:' }, { quote: notice.rewrite });
  if (notice.suggestSecure) blocks.push({ paragraph: SECURE_ADVICE });
  if (notice.link) blocks.push(...linkBlocks(notice.link));
  blocks.push({ small: CLOSING_TO_SENDER });
  return { to: notice.to, ...renderDocument({ subject: `Hallmonitor: ${notice.headline.toLowerCase()}`, blocks }) };
}

function linkBlocks(link: SenderLink): MailBlock[] {
  return [
    {
      paragraph: link.offersOverride
        ? 'If it must go as you wrote it, you can send it from this page and say why; your reason is recorded for the Data Protection Officer:'
        : 'This page shows what was found and a version you could send instead:',
    },
    { link: { label: link.offersOverride ? 'Review it, or send it as it is' : 'See what was found', url: link.url } },
    { small: `The link works once, for you only, until ${UK_TIME.format(link.expiresAt)} (UK time).` },
  ];
}
