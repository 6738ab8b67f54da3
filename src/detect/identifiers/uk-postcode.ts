import type { IdentifierMatch } from './identifier-match.js';

/**
 * UK postcodes and the addresses they end. The pattern is the one in the gov.uk "Bulk Data
 * Transfer: additional validation for CAS upload" specification (section 3.1), with the space
 * between outward and inward code optional as in its earlier XSD form.
 */
const POSTCODE_SOURCE = String.raw`(?:[Gg][Ii][Rr] 0[Aa]{2})|(?:(?:(?:[A-Za-z][0-9]{1,2})|(?:(?:[A-Za-z][A-Ha-hJ-Yj-y][0-9]{1,2})|(?:(?:[A-Za-z][0-9][A-Za-z])|(?:[A-Za-z][A-Ha-hJ-Yj-y][0-9][A-Za-z]?))))\s?[0-9][A-Za-z]{2})`;

const POSTCODE_SHAPE = new RegExp(`^(?:${POSTCODE_SOURCE})$`);
const POSTCODE_CANDIDATE = new RegExp(`(?<![\\w-])(?:${POSTCODE_SOURCE})(?![\\w-])`, 'g');

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
  'Road', 'Rd', 'Street', 'St', 'Avenue', 'Ave', 'Lane', 'Ln', 'Close', 'Cl', 'Drive', 'Dr', 'Way',
  'Crescent', 'Cres', 'Grove', 'Gardens', 'Gdns', 'Place', 'Pl', 'Court', 'Ct', 'Terrace', 'Tce',
  'Hill', 'Park', 'Row', 'Square', 'Sq', 'Mews', 'View', 'Walk', 'Rise', 'Green', 'Parade', 'Mount',
  'Vale', 'Wharf', 'Fields', 'Meadow', 'Meadows', 'Gate', 'Yard', 'Croft', 'Chase', 'Grange', 'End',
  'Broadway', 'Boulevard', 'Embankment', 'Quay', 'Wynd', 'Brow', 'Causeway',
];

/**
 * "12 Acacia Avenue" or "Flat 3, 12a Acacia Avenue": a house number, up to four capitalised words,
 * a street type; then town and county words (no digits) up to the postcode.
 */
const STREET_LINE = String.raw`(?<![\w-])(?:(?:Flat|Apartment|Apt|Unit|Room|Maisonette)\.? \w{1,4},? )?\d{1,4}[A-Za-z]?,? (?:[A-Z][\p{L}'’-]*\s){1,4}(?:${STREET_TYPES.flatMap((type) => [type, type.toUpperCase()]).join('|')})\b`;

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

/** True for a postcode of the right format in a real postcode area (any case, space optional). */
export function isValidUkPostcode(candidate: string): boolean {
  return POSTCODE_SHAPE.test(candidate) && POSTCODE_AREAS.has(postcodeArea(candidate));
}

function postcodeArea(postcode: string): string {
  return (/^[A-Za-z]+/.exec(postcode)?.[0] ?? '').toUpperCase();
}

/**
 * Postcodes in `text`, each extended back over the street line before it when there is one. A
 * postcode alone must be written in capitals, as Royal Mail asks; "b1 1st" is not one.
 */
export function findUkAddresses(text: string): AddressMatch[] {
  const found: AddressMatch[] = [];
  for (const match of text.matchAll(POSTCODE_CANDIDATE)) {
    const postcode = match[0];
    if (!isValidUkPostcode(postcode)) continue;
    const end = match.index + postcode.length;
    const streetStart = streetLineStart(text, match.index);
    if (streetStart === undefined && postcode !== postcode.toUpperCase()) continue;
    const start = streetStart ?? match.index;
    found.push({ start, end, text: text.slice(start, end), full: streetStart !== undefined, postcode });
  }
  return found;
}

function streetLineStart(text: string, postcodeStart: number): number | undefined {
  const from = Math.max(0, postcodeStart - ADDRESS_REACH);
  const street = STREET_BEFORE_POSTCODE.exec(text.slice(from, postcodeStart));
  return street === null ? undefined : from + street.index;
}
