import { describe, expect, it } from 'vitest';
import { findPaymentCards, isLuhnValid, isValidPaymentCard } from '../../../src/detect/identifiers/payment-card.js';

describe('isValidPaymentCard', () => {
  it.each([
    ['4111111111111111', 'Visa'],
    ['4111 1111 1111 1111', 'Visa, spaced'],
    ['5555-5555-5555-4444', 'Mastercard, hyphenated'],
    ['2223003122003222', 'Mastercard 2-series'],
    ['3782 822463 10005', 'American Express 4-6-5'],
    ['6759649826438453', 'Maestro UK'],
  ])('accepts %s (%s)', (card) => {
    expect(isValidPaymentCard(card)).toBe(true);
  });

  it.each([
    ['4111111111111112', 'fails Luhn'],
    ['0000000000000000', 'Luhn-valid but all zeros'],
    ['1234567812345670', 'Luhn-valid but no scheme starts with 1'],
    ['411111111111', 'too short'],
    ['3782822463100051', 'Amex prefix with 16 digits'],
  ])('rejects %s (%s)', (card) => {
    expect(isValidPaymentCard(card)).toBe(false);
  });

  it('computes Luhn over the digits', () => {
    expect(isLuhnValid('79927398713')).toBe(true);
    expect(isLuhnValid('79927398710')).toBe(false);
  });
});

describe('findPaymentCards', () => {
  it('finds grouped and ungrouped numbers', () => {
    const text = 'Card 4111 1111 1111 1111 exp 09/27, or 5555555555554444.';
    expect(findPaymentCards(text).map((match) => match.text)).toEqual(['4111 1111 1111 1111', '5555555555554444']);
  });

  it('does not join two numbers separated by a space into one card', () => {
    expect(findPaymentCards('codes 4111 1111 and 1111 1111')).toEqual([]);
  });

  it('does not take a Luhn-valid number labelled as an order, unless a card is named', () => {
    expect(findPaymentCards('Order 4111111111111111')).toEqual([]);
    expect(findPaymentCards('Visa card 4111111111111111')).toHaveLength(1);
  });
});
