import { describe, expect, it } from 'vitest';
import { findUkAddresses, isValidUkPostcode } from '../../../src/detect/identifiers/uk-postcode.js';

describe('isValidUkPostcode', () => {
  it.each(['SW1A 1AA', 'EC1A 1BB', 'W1A 0AX', 'M1 1AE', 'B33 8TH', 'CR2 6XH', 'DN55 1PT', 'GIR 0AA', 'sw1a1aa'])('accepts %s', (postcode) => {
    expect(isValidUkPostcode(postcode)).toBe(true);
  });

  it.each([
    ['Y7 4TH', 'no postcode area Y'],
    ['KS2 1ST', 'KS is a key stage, not an area'],
    ['SW1A 1A', 'inward code too short'],
    ['1AA SW1', 'reversed'],
    ['QQ1 1AA', 'no area QQ'],
    ['SE12 9CI', 'C and I never end an inward code'],
    ['B3 5OK', 'nor do O and K'],
    ['ST3 500MV', 'a hard disk model number, M and V'],
  ])('rejects %s (%s)', (postcode) => {
    expect(isValidUkPostcode(postcode)).toBe(false);
  });
});

describe('findUkAddresses', () => {
  it('spans a street line, town and postcode as one address', () => {
    const text = 'Send it to Flat 3, 12 Acacia Avenue, Springfield, Kent AB1 2DE by Friday.';
    const [address] = findUkAddresses(text);
    expect(address).toMatchObject({ text: 'Flat 3, 12 Acacia Avenue, Springfield, Kent AB1 2DE', full: true, postcode: 'AB1 2DE' });
    expect(text.slice(address?.start, address?.end)).toBe(address?.text);
  });

  it('spans an address written over several lines', () => {
    const text = 'Address:\n27 Mill Lane\nLittle Wickham\nLS6 2AB\n';
    expect(findUkAddresses(text)).toMatchObject([{ text: '27 Mill Lane\nLittle Wickham\nLS6 2AB', full: true }]);
  });

  it('reports a postcode without a street line as the postcode alone', () => {
    expect(findUkAddresses('She lives in LS6 2AB now.')).toMatchObject([{ text: 'LS6 2AB', full: false }]);
  });

  it('needs capitals for a postcode alone, as Royal Mail writes them', () => {
    expect(findUkAddresses('in b1 1st place and y7 4th lesson')).toEqual([]);
    expect(findUkAddresses('12 Acacia Avenue, Leeds ls6 2ab')).toMatchObject([{ full: true }]);
  });

  // Postcodes are looked for only one, two or four characters before a digit (postcodeCandidates).
  it('finds every postcode of each shape, at the start and end of a text, side by side, in order', () => {
    const text = 'M1 1AE, SW1A 1AA;GIR 0AA EC1A 1BB\nB33 8TH DN55 1PT CR2 6XH';
    expect(findUkAddresses(text).map((address) => [address.start, address.postcode])).toEqual([
      [0, 'M1 1AE'],
      [8, 'SW1A 1AA'],
      [17, 'GIR 0AA'],
      [25, 'EC1A 1BB'],
      [34, 'B33 8TH'],
      [42, 'DN55 1PT'],
      [51, 'CR2 6XH'],
    ]);
    expect(findUkAddresses('W1A0AX')).toMatchObject([{ start: 0, end: 6 }]);
  });

  it("finds no postcode in a product code that has the shape but letters Royal Mail never uses ('ST3500418AS' holds ST3 5 00…)", () => {
    expect(findUkAddresses('Replaced the drive with a Seagate ST3 5OV and an LE1 1KM cable.')).toEqual([]);
  });

  it('does not take a street line separated from the postcode by numbers', () => {
    const text = '12 Acacia Avenue is closed until 14:00; depot LS6 2AB.';
    expect(findUkAddresses(text)).toMatchObject([{ text: 'LS6 2AB', full: false }]);
  });
});
