import { describe, expect, it } from 'vitest';
import { findUpns, isValidUpn, upnCheckLetter } from '../../../src/detect/identifiers/upn.js';

/*
 * Worked by hand (weights 2..13 over characters 2..13, sum mod 23 into ABCDEFGHJKLMNPQRTUVWXYZ):
 * 801200005001: 8·2 + 1·4 + 2·5 + 5·10 + 1·13 = 93; 93 mod 23 = 1 → B.
 * 207000016049: 2·2 + 7·4 + 1·9 + 6·10 + 4·12 + 9·13 = 266; 266 mod 23 = 13 → P.
 * 80120000500A (temporary, A = 0): 8·2 + 1·4 + 2·5 + 5·10 = 80; 80 mod 23 = 11 → M.
 * 80120000500B (temporary, B = 1): 80 + 1·13 = 93 → B.
 */
describe('isValidUpn', () => {
  it.each(['B801200005001', 'P207000016049', 'M80120000500A', 'B80120000500B', 'b801200005001'])('accepts %s', (upn) => {
    expect(isValidUpn(upn)).toBe(true);
  });

  it.each([
    ['A801200005001', 'wrong check letter'],
    ['Q207000016049', 'check letter one off'],
    ['I801200005001', 'I is never a check letter'],
    ['B80120000500I', 'I is never a temporary final letter'],
    ['B8012000050011', 'too long'],
    ['B80120000500', 'too short'],
    ['B8012000A5001', 'letter in the middle'],
  ])('rejects %s (%s)', (upn) => {
    expect(isValidUpn(upn)).toBe(false);
  });

  it('computes the check letter for permanent and temporary bodies', () => {
    expect(upnCheckLetter('801200005001')).toBe('B');
    expect(upnCheckLetter('80120000500A')).toBe('M');
    expect(upnCheckLetter('80120000500O')).toBeUndefined();
  });
});

describe('findUpns', () => {
  it('finds a UPN with its span', () => {
    const text = 'UPN: B801200005001, year 4.';
    expect(findUpns(text)).toEqual([{ start: 5, end: 18, text: 'B801200005001' }]);
  });

  it('ignores UPN-shaped tokens inside longer codes', () => {
    expect(findUpns('ref XB801200005001 and B8012000050012')).toEqual([]);
  });
});

describe('findUpns and labels', () => {
  it('does not take a valid code labelled as an order, unless it is called a pupil reference', () => {
    expect(findUpns('Order B801200005001')).toEqual([]);
    expect(findUpns('Pupil ref: B801200005001')).toHaveLength(1);
  });
});
