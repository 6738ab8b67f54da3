import { collectMatches, compact, followsReferenceLabel, hasCueBefore, onProductLine, type IdentifierMatch } from './identifier-match.js';

/**
 * National Insurance number (HMRC National Insurance Manual NIM39110): two prefix letters, six
 * digits and a suffix A–D. D, F, I, Q, U and V are never used in the prefix, O never second, and
 * the prefixes BG, GB, NK, KN, TN, NT and ZZ are not allocated.
 */

const NI_SHAPE = /^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]?$/;

const UNALLOCATED_PREFIXES: ReadonlySet<string> = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);

/** Letters, then digits in pairs or together, then an optional suffix, spaced or not. */
const NI_CANDIDATE = /(?<![\w-])[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2}(?: ?[A-Da-d])?(?![\w-])/g;

/** Written in one case throughout, so "on 12 03 25 A" is not read as a number. */
const ONE_CASE = /^[^a-z]*$|^[^A-Z]*$/;

/** HMRC systems sometimes drop the suffix; without one the number must be labelled. */
const NI_CUE = /\b(?:NI|NINO|national insurance)\b/i;

const CUE_WINDOW = 40;

/** True for a well-formed NI number with an allocatable prefix; the suffix is optional. */
export function isValidNiNumber(candidate: string): boolean {
  const nino = compact(candidate).toUpperCase();
  return NI_SHAPE.test(nino) && !UNALLOCATED_PREFIXES.has(nino.slice(0, 2));
}

/**
 * NI numbers in `text`. Unlabelled, one written without spaces is a product code when the line
 * names a product ("hda: ST380011A, ATA DISK drive") or a label calls it a model, part or other
 * reference; HMRC's own layout, "AB 12 34 56 C", is always read as an NI number.
 */
export function findNiNumbers(text: string): IdentifierMatch[] {
  return collectMatches(text, NI_CANDIDATE, (match) => {
    if (!ONE_CASE.test(match[0]) || !isValidNiNumber(match[0])) return false;
    if (hasCueBefore(text, match.index, NI_CUE, CUE_WINDOW)) return true;
    if (!/[A-Da-d]$/.test(match[0])) return false;
    const end = match.index + match[0].length;
    const productCode = !match[0].includes(' ') && (onProductLine(text, match.index, end) || followsReferenceLabel(text, match.index));
    return !productCode;
  });
}
