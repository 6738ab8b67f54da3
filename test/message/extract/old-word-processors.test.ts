import { describe, expect, it } from 'vitest';
import { readAttachment } from '../support/attach.js';
import { compoundFileOf } from '../support/documents.js';

/**
 * Word 6.0/95 and WordPerfect files, built from their layouts (no tool installable here writes
 * them): read rather than held, and held only when no text can be read.
 */

/** A Word 6.0 WordDocument stream: the FIB (wIdent 0xA5DC, nFib 101) with fcMin/fcMac around 8-bit text. */
function word6Stream(text: string, encrypted = false): Buffer {
  const fib = Buffer.alloc(0x300);
  fib.writeUInt16LE(0xa5dc, 0);
  fib.writeUInt16LE(101, 2);
  fib.writeUInt16LE(encrypted ? 0x0100 : 0, 0x0a);
  const body = Buffer.from(text, 'latin1');
  fib.writeUInt32LE(fib.length, 0x18);
  fib.writeUInt32LE(fib.length + body.length, 0x1c);
  fib.writeInt32LE(body.length, 0x34);
  return Buffer.concat([fib, body, Buffer.alloc(64)]);
}

/** WordPerfect 4.2: text between formatting codes 0xC0-0xFE that open and close with the same byte. */
function wordPerfect42(paragraphs: readonly string[]): Buffer {
  const header = Buffer.from([0xcb, 0x0a, 0x01, 0xf6, 0x01, 0xcb, 0xc0, 0x0a, 0x4a, 0x09, 0x4a, 0xc0, ...new Array(40).fill(0)]);
  const margin = Buffer.from([0xcb, 0x0a, 0x01, 0xf6, 0x01, 0xcb]);
  return Buffer.concat([header, ...paragraphs.flatMap((paragraph) => [margin, Buffer.from(paragraph.replace(/ (?=\S{6})/, '\r'), 'latin1'), Buffer.from([0x0a])])]);
}

describe('Word 6.0/95 documents', () => {
  it("reads the text between fcMin and fcMac, with Word's breaks and cell marks", async () => {
    const doc = compoundFileOf({ WordDocument: word6Stream('Trip letter\rTamsin Oakhurst\u0007Year 5\u0007\rPlease reply by Friday.\r') });
    const { textOf, attachment } = await readAttachment('trip.doc', doc);
    expect(attachment.facts).toEqual([]);
    expect(textOf('trip.doc').trim()).toBe('Trip letter\nTamsin Oakhurst\tYear 5\t\nPlease reply by Friday.');
  });

  it('is unscannable when the text range lies outside the stream', async () => {
    const broken = word6Stream('Some text');
    broken.writeUInt32LE(broken.length + 100, 0x1c);
    const { attachment } = await readAttachment('broken.doc', compoundFileOf({ WordDocument: broken }));
    expect(attachment.facts.map((fact) => fact.kind)).toEqual(['unscannable']);
  });

  it('an encrypted one is password-protected', async () => {
    const { attachment } = await readAttachment('locked.doc', compoundFileOf({ WordDocument: word6Stream('x', true) }));
    expect(attachment.facts.map((fact) => fact.kind)).toEqual(['password-protected']);
  });
});

describe('WordPerfect and other older word-processor files named .doc', () => {
  it('WordPerfect 4.2: the text between the formatting codes', async () => {
    const file = wordPerfect42(['Dear parents of Tamsin Oakhurst,', 'the choir sings on Thursday evening.']);
    const { textOf, attachment } = await readAttachment('letter.doc', file);
    expect(attachment.facts).toEqual([]);
    expect(textOf('letter.doc')).toBe('Dear parents of Tamsin Oakhurst,\nthe choir sings on Thursday evening.');
  });

  it('WordPerfect 5.x and later (\\xFFWPC): the document area after the header', async () => {
    const header = Buffer.alloc(32);
    Buffer.from([0xff, 0x57, 0x50, 0x43]).copy(header);
    header.writeUInt32LE(32, 4);
    const file = Buffer.concat([header, Buffer.from([0xd0, 0x00, 0x05, 0x00]), Buffer.from('Sports day for Class 4 is on Monday.', 'latin1'), Buffer.from([0xcc])]);
    const { textOf } = await readAttachment('sports.wpd', file);
    expect(textOf('sports.wpd')).toBe('Sports day for Class 4 is on Monday.');
  });

  it('binary data named .doc with no run of text is still unscannable', async () => {
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 37 + (index >> 3)) % 256));
    const { attachment } = await readAttachment('noise.doc', noise);
    expect(attachment.facts.map((fact) => fact.kind)).toEqual(['unscannable']);
  });
});
