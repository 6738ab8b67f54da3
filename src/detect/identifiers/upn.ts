import { collectMatches, followsReferenceLabel, hasCueBefore, isPlaceholderNumber, NUMBER_END, NUMBER_START, type IdentifierMatch } from './identifier-match.js';

/**
 * Unique Pupil Number (DfE "Unique pupil numbers (UPN)" guidance; GDSC data standard UPN v2.0):
 * a check letter, then LA code (3 digits), DfE establishment number (4), year (2) and serial (3).
 * A temporary UPN ends in a letter instead of the last serial digit.
 */

/** Check letters and temporary-UPN final letters: A–Z without I, O and S; A is 0, Z is 22. */
const CHECK_ALPHABET = 'ABCDEFGHJKLMNPQRTUVWXYZ';

const UPN_SHAPE = /^[A-Z]\d{11}[0-9A-Z]$/;

const UPN_CANDIDATE = new RegExp(`${NUMBER_START}[A-Za-z]\\d{11}[0-9A-Za-z]${NUMBER_END}`, 'g');

/** MIS exports call it the UPN or the pupil's reference. */
const UPN_CUE = /\b(?:UPN|unique pupil number|pupil (?:no|number|ref|reference|id))\b/i;

const CUE_WINDOW = 40;

/**
 * The check letter for the 12 characters after it: character n (n = 2…13) weighs n, a final
 * letter counts as its place in the check alphabet, and the sum modulo 23 picks the letter.
 * Undefined when a character cannot appear in a UPN.
 */
export function upnCheckLetter(body: string): string | undefined {
  if (body.length !== 12) return undefined;
  let sum = 0;
  for (let index = 0; index < 12; index += 1) {
    const value = upnCharacterValue(body.charAt(index), index === 11);
    if (value === undefined) return undefined;
    sum += value * (index + 2);
  }
  return CHECK_ALPHABET.charAt(sum % 23);
}

function upnCharacterValue(char: string, isLast: boolean): number | undefined {
  if (char >= '0' && char <= '9') return Number(char);
  if (!isLast) return undefined;
  const place = CHECK_ALPHABET.indexOf(char);
  return place === -1 ? undefined : place;
}

/**
 * True for a permanent or temporary UPN whose check letter is right (any case). Eleven digits of
 * one kind or a run (`a000000000000`, an id in a bounce) are a placeholder, not a pupil's number.
 */
export function isValidUpn(candidate: string): boolean {
  const upn = candidate.toUpperCase();
  return UPN_SHAPE.test(upn) && !isPlaceholderNumber(upn.slice(1, 12)) && upnCheckLetter(upn.slice(1)) === upn.charAt(0);
}

/** Checksum-valid UPNs in `text`, except codes labelled as an order, invoice or other reference. */
export function findUpns(text: string): IdentifierMatch[] {
  return collectMatches(text, UPN_CANDIDATE, (match) => {
    if (!isValidUpn(match[0])) return false;
    return hasCueBefore(text, match.index, UPN_CUE, CUE_WINDOW) || !followsReferenceLabel(text, match.index);
  });
}
