import {
  collectMatches,
  followsPhoneLabel,
  followsReferenceLabel,
  hasCueBefore,
  isPlaceholderNumber,
  isUnixTimeBesideItsDate,
  NUMBER_END,
  NUMBER_START,
  type IdentifierMatch,
} from './identifier-match.js';

/**
 * Unique Learner Number (Learning Records Service): ten digits; weighting the digits 10, 9, … 1
 * from the left, a valid ULN's sum leaves remainder 10 when divided by 11.
 */

const ULN_SHAPE = /^\d{10}$/;

const ULN_CANDIDATE = new RegExp(`${NUMBER_START}\\d{10}${NUMBER_END}`, 'g');

const ULN_CUE = /\b(?:ULN|unique learner number|learner number)\b/i;

const CUE_WINDOW = 40;

export function isValidUln(candidate: string): boolean {
  if (!ULN_SHAPE.test(candidate) || isPlaceholderNumber(candidate)) return false;
  let sum = 0;
  for (let index = 0; index < 10; index += 1) sum += Number(candidate.charAt(index)) * (10 - index);
  return sum % 11 === 10;
}

/**
 * Checksum-valid ULNs in `text`. A number starting with 0, or after a telephone label or +1, reads
 * as a telephone number unless it is labelled as a ULN; one labelled as an order, invoice or other
 * reference, or a Unix time beside the date it encodes, is not a ULN.
 */
export function findUlns(text: string): IdentifierMatch[] {
  return collectMatches(text, ULN_CANDIDATE, (match) => {
    if (!isValidUln(match[0])) return false;
    if (hasCueBefore(text, match.index, ULN_CUE, CUE_WINDOW)) return true;
    const readsAsPhone = match[0].startsWith('0') || followsPhoneLabel(text, match.index);
    const readsAsTime = isUnixTimeBesideItsDate(text, match.index, match.index + match[0].length, match[0]);
    return !readsAsPhone && !readsAsTime && !followsReferenceLabel(text, match.index);
  });
}
