import { compoundFileOf } from './documents.js';

const unicode = (text: string) => Buffer.from(`${text}\0`, 'utf16le');

/**
 * An Outlook message laid out as MS-OXMSG 2.1 describes: no tool installable here writes .msg,
 * so it is built with cfb, the library that reads it.
 */
export function outlookMessage(): Buffer {
  return compoundFileOf({
    '__substg1.0_0037001F': unicode('Trip consent'),
    '__substg1.0_1000001F': unicode('Aarav Gupta has returned his form.'),
    '__substg1.0_1013001E': Buffer.from('<p>Zo\xeb Invented</p>', 'latin1'),
    '__attach_version1.0_#00000000/__substg1.0_3707001F': unicode('consent form.txt'),
    '__attach_version1.0_#00000000/__substg1.0_37010102': Buffer.from('Signed for Aarav Gupta'),
  });
}
