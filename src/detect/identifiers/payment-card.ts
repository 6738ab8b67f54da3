import { collectMatches, compact, followsReferenceLabel, hasCueBefore, isPlaceholderNumber, NUMBER_END, NUMBER_START, type IdentifierMatch } from './identifier-match.js';

/**
 * Payment card numbers (ISO/IEC 7812): 13–19 digits whose issuer prefix belongs to a card scheme
 * and whose last digit is the Luhn check digit. Written together or in groups of four (Amex and
 * Diners 4-6-5 / 4-6-4), separated by spaces or hyphens.
 */

/** Issuer prefixes and lengths of the schemes cards in UK schools come from. */
const KNOWN_SCHEMES: readonly RegExp[] = [
  /^4(?:\d{12}|\d{15}|\d{18})$/, // Visa
  /^(?:5[1-5]\d{2}|222[1-9]|22[3-9]\d|2[3-6]\d{2}|27[01]\d|2720)\d{12}$/, // Mastercard
  /^3[47]\d{13}$/, // American Express
  /^(?:5[06-9]|6\d)\d{11,17}$/, // Maestro, Discover, UnionPay
  /^35(?:2[89]|[3-8]\d)\d{12,15}$/, // JCB
  /^3(?:0[0-5]|[689]\d)\d{11,16}$/, // Diners Club
];

const CARD_CANDIDATE = new RegExp(`${NUMBER_START}(?:\\d{13,19}|\\d{4}([ -])\\d{4,6}\\1\\d{4,5}(?:\\1\\d{1,4}){0,2})${NUMBER_END}`, 'g');

const CARD_CUE = /\b(?:card|visa|mastercard|amex|american express|maestro|debit|credit)\b/i;

const CUE_WINDOW = 40;

export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  for (let index = digits.length - 1, doubled = false; index >= 0; index -= 1, doubled = !doubled) {
    const digit = Number(digits.charAt(index));
    const value = doubled ? digit * 2 : digit;
    sum += value > 9 ? value - 9 : value;
  }
  return sum % 10 === 0;
}

/** True for a Luhn-valid number with a known scheme prefix and length, grouping ignored. */
export function isValidPaymentCard(candidate: string): boolean {
  const digits = compact(candidate);
  if (!/^\d{13,19}$/.test(digits) || isPlaceholderNumber(digits)) return false;
  return KNOWN_SCHEMES.some((scheme) => scheme.test(digits)) && isLuhnValid(digits);
}

export function findPaymentCards(text: string): IdentifierMatch[] {
  return collectMatches(text, CARD_CANDIDATE, (match) => {
    if (!isValidPaymentCard(match[0])) return false;
    return hasCueBefore(text, match.index, CARD_CUE, CUE_WINDOW) || !followsReferenceLabel(text, match.index);
  });
}
