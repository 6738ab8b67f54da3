import { htmlToReadableText } from '../html-to-text.js';
import { capText } from '../readable-text.js';
import type { Extractor } from './extractor.js';
import { decodeText } from './text.js';

/**
 * Web pages: the text a browser shows. Markup is longer than its text, so the HTML is cut at the
 * text limit before conversion: the converter's time then stays bounded, and the text can only
 * pass the limit (telling the caller it was cut) when the HTML did.
 */
export const extractHtml: Extractor = async (file, context) => {
  const maxChars = context.limits.maxAttachmentTextChars;
  const html = capText(decodeText(file.bytes, file.charset, maxChars), maxChars);
  return { texts: [htmlToReadableText(html.text)], tableRows: [], facts: [], truncated: html.truncated };
};
