import { describe, expect, it } from 'vitest';
import { findUlns, isValidUln } from '../../../src/detect/identifiers/uln.js';

/*
 * 4817263953: 4·10 + 8·9 + 1·8 + 7·7 + 2·6 + 6·5 + 3·4 + 9·3 + 5·2 + 3·1 = 263; 263 mod 11 = 10.
 */
describe('isValidUln', () => {
  it.each(['4817263953', '5729301846', '6381047290'])('accepts %s', (uln) => {
    expect(isValidUln(uln)).toBe(true);
  });

  it.each(['4817263954', '481726395', '48172639531', '1234567890', '9876543210'])('rejects %s', (uln) => {
    expect(isValidUln(uln)).toBe(false);
  });
});

describe('findUlns', () => {
  it('finds a ULN in a sentence', () => {
    expect(findUlns('Her ULN is 4817263953.')).toEqual([{ start: 11, end: 21, text: '4817263953' }]);
  });

  it('does not take a number labelled as an order or invoice', () => {
    expect(findUlns('Order no. 4817263953 has shipped')).toEqual([]);
    expect(findUlns('Invoice: 5729301846')).toEqual([]);
  });

  it('takes a number starting with 0 only when it is labelled a ULN', () => {
    const leadingZero = '0481726399';
    expect(isValidUln(leadingZero)).toBe(true);
    expect(findUlns(`call ${leadingZero}`)).toEqual([]);
    expect(findUlns(`ULN: ${leadingZero}`)).toHaveLength(1);
  });
});
