import { describe, expect, it } from 'vitest';
import { createLineEndingCheck } from '../../src/smtp/line-ending-check.js';

function check(...chunks: string[]): boolean {
  const lineEndings = createLineEndingCheck();
  const inspected = chunks.map((chunk) => lineEndings.inspect(Buffer.from(chunk, 'latin1')));
  return inspected.every(Boolean) && lineEndings.finish();
}

describe('createLineEndingCheck', () => {
  it('passes CRLF-only data, also when a CRLF straddles two chunks', () => {
    expect(check('Subject: a\r\n\r\nbody\r\n')).toBe(true);
    expect(check('line one\r', '\nline two\r\n')).toBe(true);
  });

  it.each([
    ['bare LF', ['a\nb\r\n']],
    ['LF at the start of a chunk', ['a\r\n', '\nb\r\n']],
    ['bare CR', ['a\rb\r\n']],
    ['CR at a chunk end followed by something other than LF', ['a\r', 'b\r\n']],
    ['data ending on a lone CR', ['a\r\n\r']],
    ['<LF>.<CR><LF> smuggling', ['a\n.\r\nMAIL FROM:<x@y.z>\r\n']],
    ['<CR>.<CR> smuggling', ['a\r.\rMAIL FROM:<x@y.z>\r\n']],
  ])('fails on %s', (_name, chunks) => {
    expect(check(...chunks)).toBe(false);
  });

  it('stays failed once a bare line ending was seen', () => {
    const lineEndings = createLineEndingCheck();
    expect(lineEndings.inspect(Buffer.from('a\nb'))).toBe(false);
    expect(lineEndings.inspect(Buffer.from('\r\nclean\r\n'))).toBe(false);
    expect(lineEndings.finish()).toBe(false);
  });
});
