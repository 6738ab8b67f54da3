import type { MessageView, TextPiece } from '../message/message-view.js';
import type { Detector, DetectorDefinition } from './detector.js';
import { categoriesOf, type Finding, type Severity } from './finding.js';
import { findBankAccounts } from './identifiers/bank-account.js';
import { findDatesOfBirth, findDatesOfBirthInTable } from './identifiers/date-of-birth.js';
import { describeLocation } from './describe-location.js';
import { compact, maskDigits, type IdentifierMatch } from './identifiers/identifier-match.js';
import { findNhsNumbers } from './identifiers/nhs-number.js';
import { findNiNumbers } from './identifiers/ni-number.js';
import { findPaymentCards } from './identifiers/payment-card.js';
import { findStreetAddresses, findUkAddresses } from './identifiers/uk-postcode.js';
import type { SchoolDirectory } from '../roster/roster.js';
import { findUkPhones, normaliseUkPhone } from './identifiers/uk-phone.js';
import { findUlns } from './identifiers/uln.js';
import { findUpns } from './identifiers/upn.js';
import { defaultSeverity } from './categories.js';

export const PERSONAL_DATA_CATEGORIES = categoriesOf('personal-data/');

export type PersonalDataCategory = (typeof PERSONAL_DATA_CATEGORIES)[number];

const DETECTOR = 'personal-data';

const SEND_SECURELY = 'or send the message securely with [secure] in the subject';

export interface PersonalDataOptions {
  /** The school's own telephone numbers (switchboard, office), in any format; they are not personal data. */
  readonly ignorePhoneNumbers?: readonly string[];
  /** The school's own postcodes, as in its letterhead and signatures. */
  readonly ignorePostcodes?: readonly string[];
}

/** One piece of personal data, before it is placed in a piece of the message. */
interface Fact {
  readonly category: PersonalDataCategory;
  readonly severity: Severity;
  readonly match: IdentifierMatch;
  /** Subject of "… appears in the body." */
  readonly what: string;
  readonly suggestion: string;
}

type FactFinder = (text: string) => Fact[];

const DATE_OF_BIRTH = 'A date of birth';
const DATE_OF_BIRTH_SUGGESTION = leaveOut('the date of birth (give the year group if that is enough)');

/** Facts of one kind, with the same words for each. */
function kind(category: PersonalDataCategory, find: (text: string) => readonly IdentifierMatch[], what: string, suggest: (written: string) => string): FactFinder {
  return (text) => find(text).map((match) => ({ category, severity: defaultSeverity(category), match, what, suggestion: suggest(match.text) }));
}

/**
 * Identifiers first: where a later kind overlaps an earlier one (a CHI number that looks like a
 * telephone number, a sort code inside a date-of-birth window) the earlier one stands.
 */
const IDENTIFIER_FINDERS: readonly FactFinder[] = [
  kind('personal-data/upn', findUpns, 'A Unique Pupil Number (UPN)', () => leaveOut('the UPN (the MIS holds it)')),
  kind('personal-data/uln', findUlns, 'A Unique Learner Number (ULN)', () => leaveOut('the ULN')),
  kind('personal-data/nhs-number', findNhsNumbers, 'An NHS number', (written) => maskOrSend(written, 4)),
  kind('personal-data/ni-number', findNiNumbers, 'A National Insurance number', (written) => maskOrSend(written, 0)),
  kind('personal-data/payment-card', findPaymentCards, 'A payment card number', (written) => `${maskOrSend(written, 4)} Never send a full card number by email.`),
  kind('personal-data/bank-account', findBankAccounts, 'A sort code or bank account number', (written) => maskOrSend(written, 4)),
  kind('personal-data/date-of-birth', findDatesOfBirth, DATE_OF_BIRTH, () => DATE_OF_BIRTH_SUGGESTION),
];

function leaveOut(what: string): string {
  return `Leave ${what} out, ${SEND_SECURELY}.`;
}

/** "Mask it, e.g. AB •• •• •• C, or send …": the identifier as written, digits hidden but the last `keep`. */
function maskOrSend(written: string, keep: number): string {
  return `Mask it, e.g. ${maskDigits(written, keep)}, ${SEND_SECURELY}.`;
}

function findAddresses(text: string, ownPostcodes: ReadonlySet<string>): Fact[] {
  const addresses = findUkAddresses(text).filter((address) => !ownPostcodes.has(postcodeKey(address.postcode)));
  return addresses.map((address) => ({
    category: 'personal-data/address',
    // A postcode alone points at a street, not a door.
    severity: address.full ? defaultSeverity('personal-data/address') : 'medium',
    match: address,
    what: address.full ? 'A postal address' : 'A postcode',
    suggestion: leaveOut(address.full ? 'the address' : 'the postcode'),
  }));
}

/** Words that say an address is someone's home, just before it: "lives at", "moved to", "home address:". */
const HOME_CUE = /\b(?:lives|living|lived|live|stays|staying|stayed|moved|moving|resides|residing|home|address)\b[^\n\d]{0,25}$/i;
const HOME_CUE_REACH = 40;
/** How far from a street address a pupil's name makes it that pupil's. */
const NAME_REACH = 150;

/**
 * A street address without a postcode ("14 Oakfield Road, Millbridge") is personal data where it
 * is someone's: a pupil is named within 150 characters, or words before it say it is a home.
 * Otherwise it is a venue, a supplier or the school ("the match is at 3 Mill Lane, Springfield").
 */
function findHomeAddresses(text: string, directory: SchoolDirectory): Fact[] {
  const streets = findStreetAddresses(text);
  if (streets.length === 0) return [];
  const pupilsNamed = directory.findPupilNames(text);
  return streets
    .filter((address) => {
      if (HOME_CUE.test(text.slice(Math.max(0, address.start - HOME_CUE_REACH), address.start))) return true;
      return pupilsNamed.some((name) => name.end > address.start - NAME_REACH && name.start < address.end + NAME_REACH);
    })
    .map((match) => ({
      category: 'personal-data/address',
      severity: defaultSeverity('personal-data/address'),
      match,
      what: 'A postal address',
      suggestion: leaveOut('the address'),
    }));
}

function findPhones(text: string, ownPhones: ReadonlySet<string>): Fact[] {
  const phones = findUkPhones(text).filter((phone) => !ownPhones.has(normaliseUkPhone(phone.text)));
  return phones.map((match) => ({
    category: 'personal-data/phone',
    severity: defaultSeverity('personal-data/phone'),
    match,
    what: 'A telephone number',
    suggestion: `Leave the number out or mask it, e.g. ${maskDigits(match.text, 3)}, ${SEND_SECURELY}.`,
  }));
}

/**
 * Personal data in every piece of the message: checksum-valid UK identifiers, dates of birth,
 * addresses (with a postcode, or a home's without one), telephone numbers and bank or card details. The school's own numbers and postcodes,
 * and those in the sender's signature (`signatureRange`), are the school's contact details, not a
 * person's, and are left out.
 */
export function createPersonalDataDetector(options: PersonalDataOptions = {}): Detector {
  const ownPhones = new Set((options.ignorePhoneNumbers ?? []).map(normaliseUkPhone));
  const ownPostcodes = new Set((options.ignorePostcodes ?? []).map(postcodeKey));

  /** Every identifier, date, postcode and telephone number has a digit: a text with none needs none of their scans. */
  function factsIn(piece: TextPiece, directory: SchoolDirectory): { identifiers: Fact[]; contacts: Fact[] } {
    if (!ASCII_DIGIT.test(piece.text)) return { identifiers: [], contacts: [] };
    const found = [...findAddresses(piece.text, ownPostcodes), ...findHomeAddresses(piece.text, directory), ...findPhones(piece.text, ownPhones)];
    // Most pieces have no contact details, so the signature is looked for only when there are some.
    const [signatureStart, signatureEnd] = found.length === 0 ? [0, 0] : signatureRange(piece);
    const contacts = found.filter((fact) => fact.match.start < signatureStart || fact.match.start >= signatureEnd);
    return { identifiers: IDENTIFIER_FINDERS.flatMap((find) => find(piece.text)), contacts };
  }

  return function detectPersonalData(view, context) {
    return view.pieces.flatMap((piece) => {
      const { identifiers, contacts } = factsIn(piece, context.directory);
      const facts = withoutOverlaps([...identifiers, ...tableDatesOfBirth(view, piece), ...contacts]);
      return facts.map((fact) => toFinding(fact, piece));
    });
  };
}

const ASCII_DIGIT = /[0-9]/;

/** Dates under a "DOB" column of the spreadsheet or CSV this piece was extracted from, placed in its text. */
function tableDatesOfBirth(view: MessageView, piece: TextPiece): Fact[] {
  const { location } = piece;
  if (location.part !== 'attachment') return [];
  const rows = view.attachments.find((attachment) => attachment.name === location.name)?.tableRows ?? [];
  const facts: Fact[] = [];
  let from = 0;
  for (const cell of findDatesOfBirthInTable(rows)) {
    const start = piece.text.indexOf(cell, from);
    if (start < 0) continue;
    from = start + cell.length;
    const match = { start, end: from, text: cell };
    facts.push({
      category: 'personal-data/date-of-birth',
      severity: defaultSeverity('personal-data/date-of-birth'),
      match,
      what: DATE_OF_BIRTH,
      suggestion: DATE_OF_BIRTH_SUGGESTION,
    });
  }
  return facts;
}

export const detectPersonalData: Detector = createPersonalDataDetector();

/**
 * Keeps facts in the order given, dropping any that overlaps one already kept. Kept spans never
 * overlap, so held sorted by start only the neighbours of a new span need checking.
 */
function withoutOverlaps(facts: readonly Fact[]): Fact[] {
  const kept: Fact[] = [];
  const byStart: IdentifierMatch[] = [];
  for (const fact of facts) {
    const { start, end } = fact.match;
    const index = firstStartingAtOrAfter(byStart, start);
    const before = byStart[index - 1];
    const after = byStart[index];
    if ((before !== undefined && before.end > start) || (after !== undefined && after.start < end)) continue;
    byStart.splice(index, 0, fact.match);
    kept.push(fact);
  }
  return kept;
}

function firstStartingAtOrAfter(sorted: readonly IdentifierMatch[], start: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle]?.start ?? Infinity) < start) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The sender's signature in the body: after the last "-- " line (RFC 3676 §4.3); else from the
 * sender's sign-off ("Kind regards", "Best wishes", …) for at most a dozen lines, ending where a
 * quoted message begins, so that numbers in the quoted mail below stay in scope. Empty when there is none.
 */
function signatureRange(piece: TextPiece): readonly [number, number] {
  const { text } = piece;
  if (piece.location.part !== 'body') return [text.length, text.length];
  const separator = [...text.matchAll(/^-- ?\r?$/gm)].at(-1);
  if (separator !== undefined) return [separator.index, text.length];
  const quoteStart = QUOTE_HEADER.exec(text)?.index ?? text.length;
  const signOff = SIGN_OFF.exec(text.slice(0, quoteStart));
  if (signOff === null) return [text.length, text.length];
  let end = signOff.index;
  for (let line = 0; line < SIGNATURE_LINES && end < quoteStart; line += 1) {
    const newline = text.indexOf('\n', end + 1);
    end = newline === -1 ? text.length : newline;
  }
  return [signOff.index, Math.min(end, quoteStart)];
}

const SIGN_OFF =
  /^[ \t]*(?:kind(?:est)? regards|best regards|warm(?:est)? regards|regards|best wishes|many thanks|thanks|thank you|with thanks|yours (?:sincerely|faithfully|truly)|best|cheers)\b[^\n]{0,40}$/im;
/** The start of a quoted message: Outlook's separator or header block, or "On … wrote:". */
const QUOTE_HEADER = /^[ \t]*(?:-{2,} ?Original Message ?-{2,}|_{10,}|From: |On [^\n]{0,200}wrote:|>)/im;
const SIGNATURE_LINES = 12;

function postcodeKey(postcode: string): string {
  return compact(postcode).toUpperCase();
}

function toFinding(fact: Fact, piece: TextPiece): Finding {
  return {
    detector: DETECTOR,
    category: fact.category,
    severity: fact.severity,
    location: piece.location,
    match: fact.match.text,
    span: { start: fact.match.start, end: fact.match.end },
    explanation: `${fact.what} appears ${describeLocation(piece.location)}.`,
    suggestion: fact.suggestion,
  };
}

export const personalDataDetector: DetectorDefinition = {
  name: DETECTOR,
  categories: PERSONAL_DATA_CATEGORIES,
  build: (_vocabulary, settings) => createPersonalDataDetector({ ignorePhoneNumbers: settings.schoolPhoneNumbers ?? [], ignorePostcodes: settings.schoolPostcodes ?? [] }),
};
