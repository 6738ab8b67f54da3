import { describe, expect, it } from 'vitest';
import { findNhsNumbers, isValidNhsNumber } from '../../../src/detect/identifiers/nhs-number.js';

/*
 * 943 476 5919: 9·10 + 4·9 + 3·8 + 4·7 + 7·6 + 6·5 + 5·4 + 9·3 + 1·2 = 299; 299 mod 11 = 2; 11 − 2 = 9.
 * 100 000 0010: 1·10 + 1·2 = 12; 12 mod 11 = 1; 11 − 1 = 10, which no NHS number can have.
 */
describe('isValidNhsNumber', () => {
  it.each(['9434765919', '943 476 5919', '943-476-5919', '4010232137', '4817263954'])('accepts %s', (nhs) => {
    expect(isValidNhsNumber(nhs)).toBe(true);
  });

  it.each(['9434765918', '1000000010', '1000000011', '943476591', '1111111111', '9876543210'])('rejects %s', (nhs) => {
    expect(isValidNhsNumber(nhs)).toBe(false);
  });
});

describe('findNhsNumbers', () => {
  it('finds 3-3-4 and unspaced forms', () => {
    const text = 'NHS number 943 476 5919; sibling 4010232137.';
    expect(findNhsNumbers(text).map((match) => match.text)).toEqual(['943 476 5919', '4010232137']);
  });

  it('does not join groups spaced inconsistently', () => {
    expect(findNhsNumbers('943 476-5919')).toEqual([]);
  });

  it('needs an NHS or CHI label for a number starting with 0', () => {
    const chi = '0101011237';
    expect(isValidNhsNumber(chi)).toBe(true);
    expect(findNhsNumbers(`tel ${chi}`)).toEqual([]);
    expect(findNhsNumbers(`CHI number ${chi}`)).toHaveLength(1);
  });
});
