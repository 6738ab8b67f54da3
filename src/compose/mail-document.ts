import { escapeHtml } from '../escape.js';

/*
 * Every email the gateway writes of its own accord — sender notices, passphrase notices, quarantine, release
 * and rejection notices, alerts, digests — is a MailDocument: blocks that render as plain text and as HTML
 * from the same content, so neither can say something the other omits, and escaping happens in one place.
 */

/** One block of an automatic email. */
export type MailBlock =
  | { readonly paragraph: string }
  | { readonly strong: string }
  | { readonly list: readonly string[] }
  /** Items each with a small note under it (a reason and the policy clause it comes from). */
  | { readonly notes: readonly { readonly text: string; readonly note: string }[] }
  | { readonly table: readonly (readonly [string, string])[] }
  /** A link shown as a button: Outlook's Word renderer ignores most CSS, and a phone's mail app shows it full width. */
  | { readonly link: { readonly label: string; readonly url: string } }
  /** Text the reader may copy as it is: a suggested rewrite, set off from the note around it. */
  | { readonly quote: { readonly subject: string; readonly body: string } }
  /** Something to read out or type exactly, such as a passphrase. */
  | { readonly code: string }
  | { readonly small: string };

/** The last words of every note to a member of staff about their own message. */
export const CLOSING_TO_SENDER = 'This note went only to you. If something here looks wrong, reply to your Data Protection Officer.';

export interface MailDocument {
  readonly subject: string;
  readonly blocks: readonly MailBlock[];
}

/** Plain text and HTML of one document, so no template can say something in one that it omits in the other. */
export function renderDocument(document: MailDocument): { subject: string; text: string; html: string } {
  return {
    subject: oneLine(document.subject),
    text: `${document.blocks.map(textBlock).join('\n\n')}\n`,
    html: `<!doctype html><html lang="en"><body style="font-family:Arial,sans-serif;line-height:1.5;color:#0b0c0c">${document.blocks.map(htmlBlock).join('\n')}</body></html>`,
  };
}

function textBlock(block: MailBlock): string {
  if ('paragraph' in block) return block.paragraph;
  if ('strong' in block) return block.strong;
  if ('list' in block) return block.list.map((item) => `- ${item}`).join('\n');
  if ('notes' in block) return block.notes.map(({ text, note }) => `- ${text}\n  (${note})`).join('\n');
  if ('quote' in block) return ['----------', `Subject: ${block.quote.subject}`, '', block.quote.body.trim(), '----------'].join('\n');
  if ('code' in block) return block.code;
  if ('table' in block) return block.table.map(([label, value]) => `${label}: ${value}`).join('\n');
  if ('link' in block) return `${block.link.label}: ${block.link.url}`;
  return block.small;
}

function htmlBlock(block: MailBlock): string {
  if ('paragraph' in block) return `<p>${escapeHtml(block.paragraph)}</p>`;
  if ('strong' in block) return `<p><strong>${escapeHtml(block.strong)}</strong></p>`;
  if ('list' in block) return `<ul>${block.list.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
  if ('notes' in block) return `<ul>${block.notes.map(({ text, note }) => `<li>${escapeHtml(text)}<br><small>${escapeHtml(note)}</small></li>`).join('')}</ul>`;
  if ('quote' in block) {
    return (
      `<blockquote style="border-left:3px solid #1d70b8;margin:0;padding:0 1em"><p><strong>Subject:</strong> ${escapeHtml(block.quote.subject)}</p>` +
      `<pre style="white-space:pre-wrap;font-family:inherit">${escapeHtml(block.quote.body.trim())}</pre></blockquote>`
    );
  }
  if ('code' in block) return `<p style="font-family:monospace;font-size:1.4em">${escapeHtml(block.code)}</p>`;
  if ('table' in block) {
    const rows = block.table.map(([label, value]) => `<tr><th style="text-align:left;padding-right:1em">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`);
    return `<table>${rows.join('')}</table>`;
  }
  if ('link' in block) {
    return `<p><a href="${escapeHtml(block.link.url)}" style="display:inline-block;padding:10px 16px;background:#1d70b8;color:#ffffff;text-decoration:underline;font-weight:bold">${escapeHtml(block.link.label)}</a></p>`;
  }
  return `<p><small>${escapeHtml(block.small)}</small></p>`;
}

/** A header must be one line: a school-written reason with a line break would otherwise inject headers. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** "Monday 23 November 2026 at 21:04", in the school's time zone. */
export function schoolTime(at: Date, timeZone = 'Europe/London'): string {
  const date = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone })
    .format(at)
    // ICU versions differ on the comma after the weekday; British usage has none.
    .replace(/,/g, '');
  const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(at);
  return `${date} at ${time}`;
}

/** "a, b and c". */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
