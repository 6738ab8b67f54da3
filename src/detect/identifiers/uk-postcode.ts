import { onProductLine, type IdentifierMatch } from './identifier-match.js';

/**
 * UK postcodes and the addresses they end. The pattern is the one in the gov.uk "Bulk Data
 * Transfer: additional validation for CAS upload" specification (section 3.1), with the space
 * between outward and inward code optional as in its earlier XSD form.
 */
const POSTCODE_SOURCE = String.raw`(?:[Gg][Ii][Rr] 0[Aa]{2})|(?:(?:(?:[A-Za-z][0-9]{1,2})|(?:(?:[A-Za-z][A-Ha-hJ-Yj-y][0-9]{1,2})|(?:(?:[A-Za-z][0-9][A-Za-z])|(?:[A-Za-z][A-Ha-hJ-Yj-y][0-9][A-Za-z]?))))\s?[0-9][A-Za-z]{2})`;

const POSTCODE_SHAPE = new RegExp(`^(?:${POSTCODE_SOURCE})$`);
/** Sticky: tried only where `postcodeCandidates` says a postcode may start. */
const POSTCODE_CANDIDATE = new RegExp(`(?<![\\w-])(?:${POSTCODE_SOURCE})(?![\\w-])`, 'y');
const ASCII_DIGIT = /[0-9]/g;
/** Every postcode has a digit one or two characters after its start, or four in GIR 0AA. */
const DIGIT_OFFSETS = [4, 2, 1];

/**
 * Royal Mail postcode areas. The format alone accepts "Y7 4TH"; requiring a real area keeps
 * year groups, room numbers and the like out.
 */
const POSTCODE_AREAS: ReadonlySet<string> = new Set(
  (
    'AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY ' +
    'E EC EH EN EX FK FY G GIR GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL ' +
    'LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO ' +
    'SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE'
  ).split(' '),
);

/** Street types that end the street line of an address. */
const STREET_TYPES = [
  'Road',
  'Rd',
  'Street',
  'St',
  'Avenue',
  'Ave',
  'Lane',
  'Ln',
  'Close',
  'Cl',
  'Drive',
  'Dr',
  'Way',
  'Crescent',
  'Cres',
  'Grove',
  'Gardens',
  'Gdns',
  'Place',
  'Pl',
  'Court',
  'Ct',
  'Terrace',
  'Tce',
  'Hill',
  'Park',
  'Row',
  'Square',
  'Sq',
  'Mews',
  'View',
  'Walk',
  'Rise',
  'Green',
  'Parade',
  'Mount',
  'Vale',
  'Wharf',
  'Fields',
  'Meadow',
  'Meadows',
  'Gate',
  'Yard',
  'Croft',
  'Chase',
  'Grange',
  'End',
  'Broadway',
  'Boulevard',
  'Embankment',
  'Quay',
  'Wynd',
  'Brow',
  'Causeway',
];

/**
 * "12 Acacia Avenue" or "Flat 3, 12a Acacia Avenue": a house number, up to four capitalised words,
 * a street type; then town and county words (no digits) up to the postcode.
 */
const STREET_LINE = String.raw`(?<![\w-])(?:(?:Flat|Apartment|Apt|Unit|Room|Maisonette)\.? \w{1,4},? )?\d{1,4}[A-Za-z]?,? (?:[A-Z][\p{L}'’-]*\s){1,4}(?:${STREET_TYPES.flatMap((type) => [type, type.toUpperCase()]).join('|')})\b`;

/**
 * "12 Acacia Avenue, Springfield": a house number, a street, then a comma or line break and a town
 * of one to three capitalised words (the town tells a street address from "Year 6 Mill Lane").
 * Tried only where `STREET_START` (a number, a space and a capital) is found, as one small pattern
 * scans prose several times faster than the whole; the word edge before the number and a
 * "Flat 2, " before it are checked after.
 */
const STREET_START = /\d{1,4}[A-Za-z]?,? [A-Z]/g;
const STREET_AND_TOWN = new RegExp(
  String.raw`\d{1,4}[A-Za-z]?,? (?:[A-Z][\p{L}'’-]*\s){1,4}(?:${STREET_TYPES.flatMap((type) => [type, type.toUpperCase()]).join('|')})\b(?:,[ \t]*|[ \t]*\n[ \t]*)[A-Z][\p{L}'’-]+(?:[ \t]+[A-Z][\p{L}'’-]+){0,2}`,
  'uy',
);
const DWELLING_BEFORE = /(?:Flat|Apartment|Apt|Unit|Room|Maisonette)\.? \w{1,4},? $/;
const WORD_BEFORE = /[\w-]/;

/** A street line, then non-digit address text, ending where the postcode begins. */
const STREET_BEFORE_POSTCODE = new RegExp(`${STREET_LINE}[\\s,\\p{L}'’.-]{0,80}$`, 'u');

/** How far before the postcode the street line may start. */
const ADDRESS_REACH = 160;

/** A postcode found in a text; `full` when it ends an address with a street line. */
export interface AddressMatch extends IdentifierMatch {
  readonly full: boolean;
  /** The postcode as written. */
  readonly postcode: string;
}

/**
 * Royal Mail never uses C, I, K, M, O or V in the inward code's two letters (they look like digits or each
 * other when handwritten); a product code such as "ST3500418AS" has the shape but not the letters.
 */
const INWARD_LETTERS = /[ABD-HJLNP-UW-Z]{2}$/i;

/** True for a postcode of the right format in a real postcode area (any case, space optional). */
export function isValidUkPostcode(candidate: string): boolean {
  return POSTCODE_SHAPE.test(candidate) && POSTCODE_AREAS.has(postcodeArea(candidate)) && INWARD_LETTERS.test(candidate);
}

function postcodeArea(postcode: string): string {
  return (/^[A-Za-z]+/.exec(postcode)?.[0] ?? '').toUpperCase();
}

/**
 * Postcodes in `text`, each extended back over the street line before it when there is one. A
 * postcode alone must be written in capitals, as Royal Mail asks; "b1 1st" is not one. One written
 * without its space on a line that names a product ("TS128GB SSD drive") is a product code.
 */
export function findUkAddresses(text: string): AddressMatch[] {
  const found: AddressMatch[] = [];
  for (const match of postcodeCandidates(text)) {
    const postcode = match[0];
    if (!isValidUkPostcode(postcode)) continue;
    const end = match.index + postcode.length;
    const streetStart = streetLineStart(text, match.index);
    if (streetStart === undefined && postcode !== postcode.toUpperCase()) continue;
    if (streetStart === undefined && !/\s/.test(postcode) && onProductLine(text, match.index, end)) continue;
    const start = streetStart ?? match.index;
    found.push({ start, end, text: text.slice(start, end), full: streetStart !== undefined, postcode });
  }
  return found;
}

/** Street addresses with a town and no postcode; whether they are someone's is for the caller to judge. */
export function findStreetAddresses(text: string): IdentifierMatch[] {
  const found: IdentifierMatch[] = [];
  STREET_START.lastIndex = 0;
  for (let number = STREET_START.exec(text); number !== null; number = STREET_START.exec(text)) {
    if (number.index > 0 && WORD_BEFORE.test(text.charAt(number.index - 1))) continue;
    STREET_AND_TOWN.lastIndex = number.index;
    const match = STREET_AND_TOWN.exec(text);
    if (match === null) continue;
    const end = match.index + match[0].length;
    STREET_START.lastIndex = end;
    const dwelling = DWELLING_BEFORE.exec(text.slice(Math.max(0, match.index - 20), match.index));
    const start = dwelling === null ? match.index : match.index - dwelling[0].length;
    found.push({ start, end, text: text.slice(start, end) });
  }
  return found;
}

/**
 * What `matchAll` with the pattern made global would find, in the same order, but tried only one,
 * two or four characters before a digit: a pattern whose first character is any letter is tried
 * at every letter of the text otherwise, about 0.1 ms for 20 KB (docs/benchmarks.md). The starts
 * are the digits' places less each offset, merged in ascending order.
 */
function postcodeCandidates(text: string): RegExpExecArray[] {
  const digits: number[] = [];
  ASCII_DIGIT.lastIndex = 0;
  for (let digit = ASCII_DIGIT.exec(text); digit !== null; digit = ASCII_DIGIT.exec(text)) digits.push(digit.index);
  const found: RegExpExecArray[] = [];
  const next = DIGIT_OFFSETS.map(() => 0);
  let tried = -1;
  let searchFrom = 0;
  for (;;) {
    let start = Number.POSITIVE_INFINITY;
    let stream = -1;
    DIGIT_OFFSETS.forEach((offset, index) => {
      const candidate = (digits[next[index]!] ?? Number.POSITIVE_INFINITY) - offset;
      if (candidate < start) [start, stream] = [candidate, index];
    });
    if (stream < 0) return found;
    next[stream]! += 1;
    if (start <= tried || start < searchFrom) continue;
    tried = start;
    POSTCODE_CANDIDATE.lastIndex = start;
    const match = POSTCODE_CANDIDATE.exec(text);
    if (match === null) continue;
    found.push(match);
    searchFrom = start + match[0].length;
  }
}

function streetLineStart(text: string, postcodeStart: number): number | undefined {
  const from = Math.max(0, postcodeStart - ADDRESS_REACH);
  const street = STREET_BEFORE_POSTCODE.exec(text.slice(from, postcodeStart));
  return street === null ? undefined : from + street.index;
}
