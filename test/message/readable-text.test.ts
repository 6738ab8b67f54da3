import { describe, expect, it } from 'vitest';
import { capText, toReadableText } from '../../src/message/readable-text.js';

describe('toReadableText', () => {
  it('turns CRLF and CR into LF', () => {
    expect(toReadableText('a\r\nb\rc\nd')).toBe('a\nb\nc\nd');
  });

  it('reads no-break and typographic spaces as spaces', () => {
    expect(toReadableText('Kwame\u00A0Mensah\u202FYear\u20096\u30007')).toBe('Kwame Mensah Year 6 7');
  });

  it('removes characters that hide inside words', () => {
    expect(toReadableText('\uFEFFKwa\u00ADme Men\u200Bsah\u200D\u2060')).toBe('Kwame Mensah');
  });
});

describe('capText', () => {
  it('keeps text within the limit untouched', () => {
    expect(capText('abcdef', 6)).toEqual({ text: 'abcdef', truncated: false });
  });

  it('cuts longer text and says so', () => {
    expect(capText('abcdef', 4)).toEqual({ text: 'abcd', truncated: true });
  });

  it('never leaves half a surrogate pair', () => {
    expect(capText('ab😀cd', 3)).toEqual({ text: 'ab', truncated: true });
    expect(capText('ab😀cd', 4)).toEqual({ text: 'ab😀', truncated: true });
  });
});
