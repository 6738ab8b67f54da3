import { describe, expect, it } from 'vitest';
import { attachmentText, factKinds, readAttachment } from '../support/attach.js';
import { compoundFileOf } from '../support/documents.js';

/**
 * No tool installable here writes Publisher files, so this one is laid out as Publisher 2003 lays
 * out its text (the layout Apache POI's HPBF reads); the reader was also run on Apache Tika's
 * test-documents/testPUBLISHER.pub, in the real-mail corpus (bench/realmail-corpus.ts).
 */
function publication(stories: readonly string[]): Buffer {
  const header = Buffer.alloc(0x20 + 20 * 24);
  header.write('CHNKINK ', 0, 'latin1');
  const data: Buffer[] = [];
  let offset = header.length;
  stories.forEach((story, index) => {
    const text = Buffer.from(story.replace(/\n/g, '\r'), 'utf16le');
    const at = 0x20 + index * 24;
    header.writeUInt16LE(0x0018, at);
    header.write('STSH', at + 2, 'latin1');
    header.write('TEXT', at + 12, 'latin1');
    header.writeUInt32LE(offset, at + 16);
    header.writeUInt32LE(text.length, at + 20);
    data.push(text);
    offset += text.length;
  });
  return compoundFileOf({
    Contents: Buffer.alloc(64),
    'Quill/QuillSub/\u0001CompObj': Buffer.alloc(16),
    'Quill/QuillSub/CONTENTS': Buffer.concat([header, ...data]),
  });
}

describe('Publisher .pub attachments', () => {
  it('reads the text of every story', async () => {
    const pub = publication(['Summer fair newsletter\nWell done to Kwame Mensah', 'Cake stall from 2pm']);
    const { view, attachment } = await readAttachment('newsletter.pub', pub);
    expect(attachment.facts).toEqual([]);
    expect(attachmentText(view.pieces, 'newsletter.pub')).toBe('Summer fair newsletter\nWell done to Kwame Mensah\nCake stall from 2pm');
  });

  it('is unscannable when its text stream is not laid out as expected', async () => {
    const pub = compoundFileOf({ Contents: Buffer.alloc(64), 'Quill/QuillSub/CONTENTS': Buffer.from('not a chunk table') });
    const { attachment } = await readAttachment('newsletter.pub', pub);
    expect(factKinds(attachment)).toEqual(['unscannable']);
  });
});
