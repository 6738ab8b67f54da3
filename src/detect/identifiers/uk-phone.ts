import { collectMatches, followsReferenceLabel, type IdentifierMatch } from './identifier-match.js';

/**
 * UK telephone numbers (Ofcom National Telephone Numbering Plan): geographic 01 and 02, UK-wide 03
 * and mobile 07 numbers, written nationally (0…) or internationally (+44, +44 (0), 0044). Freephone,
 * special-rate and premium numbers (08, 09) belong to organisations, not people, so are left out.
 */

/** The groupings people write: 020 7946 0123, 0161 496 0123, 01632 960123, 07700 900 123, … */
const NATIONAL_GROUPINGS = [
  String.raw`2\d\)?[ -]?\d{4}[ -]?\d{4}`,
  String.raw`[137]\d{2}\)?[ -]?\d{3}[ -]?\d{4}`,
  String.raw`[17]\d{3}\)?[ -]?\d{3}[ -]?\d{3}`,
  String.raw`[17]\d{3}\)?[ -]?\d{5,6}`,
  String.raw`1\d{4}\)?[ -]?\d{4,5}`,
  String.raw`[1237]\d{8,9}`,
].join('|');

const PHONE_CANDIDATE = new RegExp(String.raw`(?<![\w+])(?:\+44[ -]?(?:\(0\)[ -]?)?|0044[ -]?|\(?0)(?:${NATIONAL_GROUPINGS})(?![\w])(?![-/.]\d)`, 'g');

/** National form: 0 followed by 9 or 10 digits, beginning 01, 02, 03 or 07. */
const NATIONAL_SHAPE = /^0(?:1\d{8,9}|[237]\d{9})$/;

/** The number in national digits: "+44 (0)20 7946 0123" → "02079460123". */
export function normaliseUkPhone(written: string): string {
  const digits = written.replace(/\(0\)/g, '').replace(/\D/g, '');
  if (digits.startsWith('0044')) return `0${digits.slice(4)}`;
  if (digits.startsWith('44')) return `0${digits.slice(2)}`;
  return digits;
}

export function isValidUkPhone(candidate: string): boolean {
  return NATIONAL_SHAPE.test(normaliseUkPhone(candidate));
}

/** UK numbers not labelled as a reference or an organisation's line ("Switchboard", "Fax": `followsReferenceLabel`). */
export function findUkPhones(text: string): IdentifierMatch[] {
  return collectMatches(text, PHONE_CANDIDATE, (match) => isValidUkPhone(match[0]) && !followsReferenceLabel(text, match.index));
}
