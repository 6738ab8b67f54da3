import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';
import { decodeText } from './text.js';

/** The properties of an invite people write in: its title, its notes and where it is. */
const READ_PROPERTIES: ReadonlySet<string> = new Set(['SUMMARY', 'DESCRIPTION', 'LOCATION', 'COMMENT']);

/**
 * Calendar invites (text/calendar, .ics): the SUMMARY, DESCRIPTION, LOCATION and COMMENT of each
 * event, one value a line, unfolded and unescaped (RFC 5545 §3.1, §3.3.11). A fold may split a
 * word — "Fairclo" CRLF SPACE "ugh" — so reading the raw lines would miss names.
 */
export const extractCalendar: Extractor = async (file, context) => textExtraction([calendarText(decodeText(file.bytes, file.charset, context.limits.maxAttachmentTextChars))]);

/** The readable values of an iCalendar text; pure. */
export function calendarText(ics: string): string {
  const values: string[] = [];
  for (const line of unfold(ics).split(/\r?\n/)) {
    const colon = valueStart(line);
    if (colon < 0) continue;
    const name = (line.slice(0, colon).split(';')[0] ?? '').toUpperCase();
    if (READ_PROPERTIES.has(name)) values.push(unescapeText(line.slice(colon + 1)));
  }
  return values.join('\n');
}

/** A line break followed by one space or tab continues the line before (RFC 5545 §3.1). */
function unfold(ics: string): string {
  return ics.replace(/\r?\n[ \t]/g, '');
}

/** Where the value starts: the first colon outside a quoted parameter value (ALTREP="http://…"). */
function valueStart(line: string): number {
  let quoted = false;
  for (let at = 0; at < line.length; at += 1) {
    const character = line[at];
    if (character === '"') quoted = !quoted;
    else if (character === ':' && !quoted) return at;
  }
  return -1;
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_escape, character: string) => (character === 'n' || character === 'N' ? '\n' : character));
}
