import { describe, expect, it } from 'vitest';
import { findNiNumbers, isValidNiNumber } from '../../../src/detect/identifiers/ni-number.js';

describe('isValidNiNumber', () => {
  it.each(['AB123456C', 'AB 12 34 56 C', 'JG103759A', 'OA123456B', 'ce123456d', 'AB123456'])('accepts %s', (nino) => {
    expect(isValidNiNumber(nino)).toBe(true);
  });

  it.each([
    ['QQ123456C', 'the HMRC example: Q is never used'],
    ['DA123456A', 'D is never first'],
    ['AO123456A', 'O is never second'],
    ['AF123456A', 'F is never second'],
    ['GB123456A', 'GB is not allocated'],
    ['NK123456A', 'NK is not allocated'],
    ['TN123456A', 'TN is not allocated'],
    ['ZZ123456A', 'ZZ is not allocated'],
    ['AB123456E', 'suffix beyond D'],
    ['AB12345C', 'five digits'],
  ])('rejects %s (%s)', (nino) => {
    expect(isValidNiNumber(nino)).toBe(false);
  });
});

describe('findNiNumbers', () => {
  it('finds spaced and unspaced numbers with a suffix', () => {
    const text = 'NI: AB 12 34 56 C, partner JG103759A.';
    expect(findNiNumbers(text)).toEqual([
      { start: 4, end: 17, text: 'AB 12 34 56 C' },
      { start: 27, end: 36, text: 'JG103759A' },
    ]);
  });

  it('takes a number without a suffix only when it is labelled', () => {
    expect(findNiNumbers('room AB123456 is free')).toEqual([]);
    expect(findNiNumbers('National Insurance number: AB123456')).toHaveLength(1);
  });

  it('does not read mixed-case text as a number', () => {
    expect(findNiNumbers('we meet on 12 03 25 A block')).toEqual([]);
  });
});
