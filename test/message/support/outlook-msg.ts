import { compoundFileOf } from './documents.js';

const unicode = (text: string) => Buffer.from(`${text}\0`, 'utf16le');

/**
 * An Outlook message laid out as MS-OXMSG 2.1 describes: no tool installable here writes .msg,
 * so it is built with cfb, the library that reads it.
 */
export function outlookMessage(): Buffer {
  return compoundFileOf(CONSENT_MESSAGE);
}

const CONSENT_MESSAGE = {
  '__substg1.0_0037001F': unicode('Trip consent'),
  '__substg1.0_1000001F': unicode('Aarav Gupta has returned his form.'),
  '__substg1.0_1013001E': Buffer.from('<p>Zo\xeb Invented</p>', 'latin1'),
  '__attach_version1.0_#00000000/__substg1.0_3707001F': unicode('consent form.txt'),
  '__attach_version1.0_#00000000/__substg1.0_37010102': Buffer.from('Signed for Aarav Gupta'),
};

/**
 * A message forwarded as an attachment, as Outlook stores one (MS-OXMSG 2.2.2.1): the attached
 * message is the attachment's `__substg1.0_3701000D` storage, laid out as a message, its own
 * attachment inside it. Nested `levels` deep.
 */
export function forwardedOutlookMessage(levels = 1): Buffer {
  let streams: Record<string, Buffer> = CONSENT_MESSAGE;
  for (let level = 0; level < levels; level += 1) {
    const inner = Object.entries(streams).map(([path, bytes]) => [`__attach_version1.0_#00000000/__substg1.0_3701000D/${path}`, bytes] as const);
    streams = {
      '__substg1.0_0037001F': unicode(`FW: level ${level + 1}`),
      '__substg1.0_1000001F': unicode('Forwarded below.'),
      '__attach_version1.0_#00000000/__substg1.0_3001001F': unicode('Trip consent'),
      ...Object.fromEntries(inner),
    };
  }
  return compoundFileOf(streams);
}
