import { describe, expect, it } from 'vitest';
import { readAttachment } from '../support/attach.js';

const read = async (rtf: string) => (await readAttachment('letter.rtf', Buffer.from(rtf, 'latin1'))).textOf('letter.rtf');

describe('RTF attachments', () => {
  it('reads the text, not fonts, colours, styles or properties', async () => {
    const rtf = String.raw`{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}{\colortbl;\red0\green0\blue0;}{\stylesheet{\s1 Normal;}}{\info{\author Ada Teacher}}{\*\generator Word;}\pard Kwame Mensah\par next\tab line}`;
    expect(await read(rtf)).toBe('Kwame Mensah\nnext\tline');
  });

  it('decodes code page bytes, Unicode characters with their fallback, and escaped symbols', async () => {
    const rtf = String.raw`{\rtf1\ansi\ansicpg1252 Zo\'eb \'93ok\'94 \u8212\'97 \uc2\u21517\'3f\'3f! a\~b \{x\}}`;
    expect(await read(rtf)).toBe('Zoë “ok” — 名! a b {x}');
  });

  it('skips pictures and binary data', async () => {
    const rtf = `{\\rtf1 before {\\pict\\pngblip 89504e47} \\bin4 {}\\x after}`;
    expect(await read(rtf)).toMatch(/^before\s+after$/);
  });
});
