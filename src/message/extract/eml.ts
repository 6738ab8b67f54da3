import { messageTexts } from '../message-text.js';
import { memberFromMime } from '../mime-member.js';
import { readMime } from '../mime-reader.js';
import type { Extractor } from './extractor.js';

/**
 * An attached message (`message/rfc822`, `.eml`): its subject and bodies are its text, its
 * attachments are scanned as its members (`forwarded.eml/report.pdf`). Problems reading it are
 * facts about this attachment rather than about the outer message.
 */
export const extractMessage: Extractor = async (file, context) => {
  const message = await readMime(file.bytes, { maxBytes: file.bytes.length, maxParts: context.limits.maxParts, signal: context.signal }, (attachment) =>
    context.scanMember(memberFromMime(attachment)),
  );
  const texts = messageTexts(message, context.limits.maxAttachmentTextChars);
  return {
    texts: [texts.subject, texts.plainBody, texts.htmlBody],
    tableRows: [],
    facts: message.problems.map((problem) => ({ kind: 'unscannable', detail: `in the attached message, ${problem.detail}` })),
    truncated: texts.truncated,
  };
};
