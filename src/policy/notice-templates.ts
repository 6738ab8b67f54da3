import type { NoticeContent, SenderLink } from './sender-notice.js';

/** The sender notice as an email: friendly, short, and only to the sender. */
export interface RenderedNotice {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const SECURE_ADVICE = 'If these details must stay in, send it securely instead: add [secure] to the subject and it will be encrypted on its way.';
const UK_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', dateStyle: 'medium', timeStyle: 'short' });
const CLOSING = 'This note went only to you. If something here looks wrong, reply to your Data Protection Officer.';

export function renderNotice(notice: NoticeContent): RenderedNotice {
  return { to: notice.to, subject: `Hallmonitor: ${notice.headline.toLowerCase()}`, text: renderText(notice), html: renderHtml(notice) };
}

function renderText(notice: NoticeContent): string {
  const lines = ['Hello,', '', `${notice.headline}.`, ''];
  for (const { reason, clause } of notice.reasons) lines.push(`- ${reason}.`, `  (${clause})`);
  if (notice.found.length > 0) lines.push('', 'What we noticed:', ...notice.found.map((line) => `- ${line}`));
  if (notice.moveToBcc.length > 0) lines.push('', 'Move these addresses to Bcc so that nobody sees the others:', ...notice.moveToBcc.map((a) => `  ${a}`));
  if (notice.rewrite) {
    lines.push('', 'A version you could send instead:', '----------', `Subject: ${notice.rewrite.subject}`, '', notice.rewrite.body.trim(), '----------');
  }
  if (notice.suggestSecure) lines.push('', SECURE_ADVICE);
  if (notice.link) lines.push('', linkInvitation(notice.link), notice.link.url, linkExpiry(notice.link));
  lines.push('', CLOSING, '');
  return lines.join('\n');
}

function renderHtml(notice: NoticeContent): string {
  const parts = [`<p>Hello,</p>`, `<p><strong>${escapeHtml(notice.headline)}.</strong></p>`, '<ul>'];
  for (const { reason, clause } of notice.reasons) parts.push(`<li>${escapeHtml(reason)}.<br><small>${escapeHtml(clause)}</small></li>`);
  parts.push('</ul>');
  if (notice.found.length > 0) parts.push('<p>What we noticed:</p>', list(notice.found));
  if (notice.moveToBcc.length > 0) parts.push('<p>Move these addresses to Bcc so that nobody sees the others:</p>', list(notice.moveToBcc));
  if (notice.rewrite) {
    parts.push(
      '<p>A version you could send instead:</p>',
      `<blockquote style="border-left:3px solid #1d70b8;margin:0;padding:0 1em"><p><strong>Subject:</strong> ${escapeHtml(notice.rewrite.subject)}</p>`,
      `<pre style="white-space:pre-wrap;font-family:inherit">${escapeHtml(notice.rewrite.body.trim())}</pre></blockquote>`,
    );
  }
  if (notice.suggestSecure) parts.push(`<p>${escapeHtml(SECURE_ADVICE)}</p>`);
  if (notice.link) {
    // A plain link styled inline: Outlook's Word renderer ignores most CSS, and a phone's mail app shows it full width.
    parts.push(
      `<p>${escapeHtml(linkInvitation(notice.link))}</p>`,
      `<p><a href="${escapeHtml(notice.link.url)}" style="display:inline-block;padding:10px 16px;background:#1d70b8;color:#ffffff;text-decoration:underline;font-weight:bold">${escapeHtml(notice.link.offersOverride ? 'Review it, or send it as it is' : 'See what was found')}</a></p>`,
      `<p><small>${escapeHtml(linkExpiry(notice.link))}</small></p>`,
    );
  }
  parts.push(`<p><small>${escapeHtml(CLOSING)}</small></p>`);
  return `<!doctype html><html lang="en"><body style="font-family:Arial,sans-serif;line-height:1.5;color:#0b0c0c">${parts.join('\n')}</body></html>`;
}

function linkInvitation(link: SenderLink): string {
  return link.offersOverride
    ? 'If it must go as you wrote it, you can send it from this page and say why; your reason is recorded for the Data Protection Officer:'
    : 'This page shows what was found and a version you could send instead:';
}

function linkExpiry(link: SenderLink): string {
  return `The link works once, for you only, until ${UK_TIME.format(link.expiresAt)} (UK time).`;
}

function list(items: readonly string[]): string {
  return `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
