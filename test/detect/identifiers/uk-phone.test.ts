import { describe, expect, it } from 'vitest';
import { findUkPhones, isValidUkPhone, normaliseUkPhone } from '../../../src/detect/identifiers/uk-phone.js';

// Ofcom reserves these ranges for drama: 07700 900xxx, 020 7946 0xxx, 0161 496 0xxx, 01632 960xxx.
describe('findUkPhones', () => {
  it.each([
    '07700 900123',
    '07700900123',
    '07700 900 123',
    '0770 090 0123',
    '+44 7700 900123',
    '+447700900123',
    '0044 7700 900123',
    '020 7946 0123',
    '+44 (0)20 7946 0123',
    '0161 496 0123',
    '(0161) 496 0123',
    '01632 960123',
    '(01632) 960123',
    '0300 123 4567',
  ])('finds %s', (phone) => {
    expect(findUkPhones(`Ring ${phone} after six.`).map((match) => match.text)).toEqual([phone]);
  });

  it.each([
    ['0800 123 4567', 'freephone belongs to organisations'],
    ['0845 678 9012', 'special rate'],
    ['+1 212 555 0100', 'not a UK number'],
    ['12/03/2025', 'a date'],
    ['10:30-11:45', 'times'],
    ['0770090012', 'a mobile one digit short'],
    ['B801200005001', 'UPN digits'],
    ['4817263953', 'a ULN has no leading 0'],
    ['Order 07700 900123', 'labelled as an order'],
  ])('ignores %s (%s)', (text) => {
    expect(findUkPhones(text)).toEqual([]);
  });

  it('finds two numbers written one after the other', () => {
    expect(findUkPhones('07700 900123 / 020 7946 0123').map((match) => match.text)).toEqual(['07700 900123', '020 7946 0123']);
  });
});

describe('normaliseUkPhone', () => {
  it('writes every form as national digits', () => {
    expect(normaliseUkPhone('+44 (0)20 7946 0123')).toBe('02079460123');
    expect(normaliseUkPhone('0044 7700 900123')).toBe('07700900123');
    expect(normaliseUkPhone('(01632) 960123')).toBe('01632960123');
  });

  it('validates by national shape', () => {
    expect(isValidUkPhone('+44 20 7946 0123')).toBe(true);
    expect(isValidUkPhone('0900 123 4567')).toBe(false);
  });
});
