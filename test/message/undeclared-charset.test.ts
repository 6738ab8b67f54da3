import { describe, expect, it } from 'vitest';
import { readMessage } from '../../src/message/read-message.js';
import { decodeWindows1252 } from '../../src/message/extract/text.js';
import { readAttachment } from './support/attach.js';

/** A body with raw 8-bit bytes, as a client that forgets the charset sends it. */
function undeclared(body: Buffer, contentType = 'text/plain'): Buffer {
  const head = Buffer.from(`Subject: s\r\nContent-Type: ${contentType}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`, 'latin1');
  return Buffer.concat([head, body, Buffer.from('\r\n')]);
}

const bodies = async (raw: Buffer) => (await readMessage(raw)).pieces.filter((piece) => piece.location.part === 'body').map((piece) => piece.text);

describe('text with no charset declared', () => {
  it('reads valid UTF-8 as UTF-8', async () => {
    expect(await bodies(undeclared(Buffer.from('Zoë Brontë – Year 6', 'utf8')))).toEqual(['Zoë Brontë – Year 6']);
  });

  it('reads other 8-bit text as Windows-1252, dashes and curly quotes included', async () => {
    const body = Buffer.from([...Buffer.from('Zo', 'latin1'), 0xeb, ...Buffer.from(' Br', 'latin1'), 0xf6, 0x20, 0x96, 0x20, 0x93, 0x6f, 0x6b, 0x94]);
    expect(await bodies(undeclared(body))).toEqual(['Zoë Brö – “ok”']);
  });

  it('treats us-ascii that holds 8-bit bytes the same way, and HTML bodies too', async () => {
    const body = Buffer.from([...Buffer.from('<p>Zo', 'latin1'), 0xeb, ...Buffer.from(' Invented</p>', 'latin1')]);
    expect(await bodies(undeclared(body, 'text/html; charset=us-ascii'))).toEqual(['Zoë Invented']);
  });

  it('still decodes a declared charset as declared', async () => {
    expect(await bodies(undeclared(Buffer.from('Zo\xeb', 'latin1'), 'text/plain; charset=iso-8859-1'))).toEqual(['Zoë']);
  });

  it('reads a Windows-1252 attachment with its dashes and quotes', async () => {
    const { textOf } = await readAttachment('list.csv', Buffer.from([0x93, 0x41, 0x94, 0x2c, 0x96]), { contentType: 'text/csv' });
    expect(textOf('list.csv')).toBe('“A”,–');
  });

  it('maps every byte of Windows-1252 as the WHATWG index does', () => {
    expect(decodeWindows1252(Uint8Array.from([0x80, 0x81, 0x8e, 0x9f, 0xa0, 0xff]))).toBe('€\u0081ŽŸ\u00a0ÿ');
  });
});
