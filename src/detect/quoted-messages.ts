import type { Span } from './finding.js';

/**
 * Messages quoted below a reply or inside a forward, and who wrote each. Outlook writes a header
 * block ("From: NAME <ADDRESS>" and, within the next lines, "Sent:" or "Date:"), in its plain text
 * and in its HTML read as text alike; Gmail and Apple Mail write "On DATE, NAME <ADDRESS> wrote:".
 * A quoted message runs from its header to the next header or the end of the text.
 */
export interface QuotedMessage extends Span {
  /** The header's words for the writer, in lower case: "donna fletcher <donna.f@example.com>". */
  readonly author: string;
}

const OUTLOOK_FROM = /^[ \t>]*\*{0,2}From:\*{0,2}[ \t]*(\S[^\n]*)$/;
const OUTLOOK_SENT = /^[ \t>]*\*{0,2}(?:Sent|Date):/;
const CLIENT_WROTE = /^[ \t>]*On\b([^\n]{0,300}?)\bwrote:[ \t]*$/;
/** How far below "From:" Outlook's "Sent:" may be: Outlook puts it next, other clients after To or Cc. */
const HEADER_LINES = 4;

export function quotedMessages(text: string): QuotedMessage[] {
  if (!text.includes('From:') && !text.includes('wrote:')) return [];
  const lines = text.split('\n');
  const headers: { start: number; author: string }[] = [];
  let offset = 0;
  lines.forEach((line, index) => {
    const author = outlookAuthor(lines, index) ?? CLIENT_WROTE.exec(line)?.[1];
    if (author !== undefined) headers.push({ start: offset, author: author.trim().toLowerCase() });
    offset += line.length + 1;
  });
  return headers.map((header, index) => ({ start: header.start, end: headers[index + 1]?.start ?? text.length, author: header.author }));
}

function outlookAuthor(lines: readonly string[], index: number): string | undefined {
  const from = OUTLOOK_FROM.exec(lines[index] ?? '');
  if (from === null) return undefined;
  const below = lines.slice(index + 1, index + 1 + HEADER_LINES);
  return below.some((line) => OUTLOOK_SENT.test(line)) ? from[1] : undefined;
}
