import {
  collectMatches,
  compact,
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
 * NHS number (NHS Data Dictionary, "NHS Number"): ten digits, often written 3-3-4. The first nine
 * digits weigh 10 down to 2; the check digit is 11 minus the sum modulo 11, where 11 means 0 and
 * 10 means the number is not valid.
 */

const NHS_SHAPE = /^\d{10}$/;

const NHS_CANDIDATE = new RegExp(`${NUMBER_START}\\d{3}([ -]?)\\d{3}\\1\\d{4}${NUMBER_END}`, 'g');

/** Scottish CHI numbers use the same check and begin with a day of the month, so may start with 0. */
const NHS_CUE = /\b(?:NHS|CHI|health (?:service|and care) (?:no|number))\b/i;

const CUE_WINDOW = 40;

export function isValidNhsNumber(candidate: string): boolean {
  const digits = compact(candidate);
  if (!NHS_SHAPE.test(digits) || isPlaceholderNumber(digits) || !isIssuable(digits)) return false;
  let sum = 0;
  for (let index = 0; index < 9; index += 1) sum += Number(digits.charAt(index)) * (10 - index);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits.charAt(9));
}

/**
 * Whether a number lies in a range the services issue from (NHS Data Dictionary, "NHS Number"):
 * Northern Ireland's Health and Care numbers run from 320 000 0000 to 399 999 9999, and a number
 * below that is a Scottish CHI number, which begins with its holder's date of birth as DDMMYY, so
 * its first four digits must be a day and a month. England and Wales issue from 400 000 0000 up
 * (900 and above are the test numbers their own documents print). Ten digits starting 12/43… or
 * 16/14… (a Unix time, an anti-spam token) are no one's NHS number.
 */
function isIssuable(digits: string): boolean {
  if (digits >= '3200000000') return true;
  const day = Number(digits.slice(0, 2));
  const month = Number(digits.slice(2, 4));
  return day >= 1 && day <= 31 && month >= 1 && month <= 12;
}

/**
 * Checksum-valid NHS numbers in `text`. Unless it is labelled NHS or CHI, a number is not one when
 * it reads as a telephone number (it starts with 0, follows a telephone label or +1, or is written
 * 3-3-4 with hyphens, North America's layout: NHS numbers are written with spaces), is a Unix time
 * beside the date it encodes, or is labelled as an order, invoice or other reference.
 */
export function findNhsNumbers(text: string): IdentifierMatch[] {
  return collectMatches(text, NHS_CANDIDATE, (match) => {
    if (!isValidNhsNumber(match[0])) return false;
    if (hasCueBefore(text, match.index, NHS_CUE, CUE_WINDOW)) return true;
    const readsAsPhone = match[0].startsWith('0') || match[1] === '-' || followsPhoneLabel(text, match.index);
    const readsAsTime = isUnixTimeBesideItsDate(text, match.index, match.index + match[0].length, compact(match[0]));
    return !readsAsPhone && !readsAsTime && !followsReferenceLabel(text, match.index);
  });
}
