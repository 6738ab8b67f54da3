import { describe, expect, it } from 'vitest';
import { findBankAccounts, isValidAccountNumber, isValidSortCode } from '../../../src/detect/identifiers/bank-account.js';

describe('sort code and account number shapes', () => {
  it('accepts the written forms', () => {
    expect(['20-00-00', '20 00 00', '200000'].every(isValidSortCode)).toBe(true);
    expect(['12345678', '1234 5678'].every(isValidAccountNumber)).toBe(true);
  });

  it('rejects mixed separators and wrong lengths', () => {
    expect(['20-00 00', '20-00-0', '2000000'].some(isValidSortCode)).toBe(false);
    expect(['1234567', '123456789'].some(isValidAccountNumber)).toBe(false);
  });
});

describe('findBankAccounts', () => {
  it('spans a labelled sort code and the account number after it', () => {
    const text = 'Sort code: 20-00-00, account number 12345678. Thanks';
    expect(findBankAccounts(text)).toEqual([{ start: 11, end: 44, text: '20-00-00, account number 12345678' }]);
  });

  it('finds a labelled sort code alone', () => {
    expect(findBankAccounts('sort code 20 00 00 please')).toEqual([{ start: 10, end: 18, text: '20 00 00' }]);
  });

  it('finds a labelled account number with a sort code before or after it', () => {
    expect(findBankAccounts('Acc no. 12345678 (20-00-00)').map((match) => match.text)).toEqual(['12345678 (20-00-00']);
    expect(findBankAccounts('20-00-00 / Account number: 12345678').map((match) => match.text)).toEqual(['20-00-00 / Account number: 12345678']);
  });

  it('ignores unlabelled six- and eight-digit numbers', () => {
    expect(findBankAccounts('Ref 20-00-00 12345678, meeting 12-03-25')).toEqual([]);
    expect(findBankAccounts('Account number 12345678 for the milk order')).toEqual([]);
  });
});
