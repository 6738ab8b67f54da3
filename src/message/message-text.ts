import { htmlToReadableText } from './html-to-text.js';
import type { MimeMessage } from './mime-reader.js';
import { capText, toReadableText } from './readable-text.js';

/** The readable texts of a message, each body kept to a length. */
export interface MessageTexts {
  readonly subject: string;
  readonly plainBody: string;
  /** The HTML body as a reader sees it. */
  readonly htmlBody: string;
  /** True when a body was longer than the limit and cut. */
  readonly truncated: boolean;
}

/**
 * Both bodies are kept when a message has both: they usually say the same, but nothing makes them,
 * and the detectors de-duplicate. HTML is cut before conversion, which keeps the converter's time
 * bounded; the text it gives is never longer than the markup.
 */
export function messageTexts(message: MimeMessage, maxChars: number): MessageTexts {
  const plain = capText(toReadableText(message.plainBody), maxChars);
  const html = capText(message.htmlBody, maxChars);
  return {
    subject: toReadableText(message.subject),
    plainBody: plain.text.trim(),
    htmlBody: html.text.trim() === '' ? '' : htmlToReadableText(html.text),
    truncated: plain.truncated || html.truncated,
  };
}
