/** Shared pieces of the identifier finders: the match they return and the text tests they share. */

/** One identifier found in a text: half-open range `[start, end)` and the text as written. */
export interface IdentifierMatch {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Regex source that a number must not follow: a letter, digit or underscore, or a letter or digit
 * joined by `-` or `/` (so `INV-4929123456` and `ref/1234567890` are one token), a decimal point,
 * `=` (a parameter: DKIM's `t=1700000000`, `?id=…` in a link) or `@`.
 */
export const NUMBER_START = String.raw`(?<![\w=@])(?<!\w[-/])(?<!\d\.)`;

/**
 * Regex source that a number must not precede: a word character, `-`, `/`, `.` joined to a
 * digit, or `@`: digits joined to an address are its local part or a Message-ID's, never a person's number.
 */
export const NUMBER_END = String.raw`(?![\w@])(?![-/.]\d)`;

/**
 * Labels that say a number is a business reference, not a person's identifier: "Order 1234567890",
 * "Invoice no. …", "Tracking number: …", a company's registration; or an organisation's line, not a
 * person's ("Switchboard: 0161 …", "Main office", "Fax"). Anchored at the end of the text just before the number.
 */
const REFERENCE_WORDS = [
  'order',
  'purchase order',
  'po',
  'invoice',
  'inv',
  'ref',
  'reference',
  'tracking',
  'track',
  'parcel',
  'consignment',
  'booking',
  'reservation',
  'confirmation',
  'ticket',
  'receipt',
  'transaction',
  'txn',
  'serial',
  'case',
  'customer',
  'membership',
  'policy',
  'barcode',
  'isbn',
  'product',
  'item',
  'sku',
  'licence',
  'license',
  'meter',
  'mpan',
  'mprn',
  'model',
  'part',
  'p/n',
  'firmware',
  'company',
  'registration',
  'registered',
  'reg',
  'charity',
  'vat',
  'crn',
  'registered in england(?: (?:and|&) wales)?',
  'switchboard',
  'reception',
  '(?:main|head|school|general|front) office',
  'enquiries',
  'fax',
];
const REFERENCE_LABEL = new RegExp(String.raw`\b(?:${REFERENCE_WORDS.join('|')})\b(?:\s*(?:no\.?|number|num|id|ref|code|#))?\s*[:#.-]?\s*$`, 'i');

/** How far back a label may sit before the number it names. */
const LABEL_WINDOW = 40;

function textBefore(text: string, start: number, window: number): string {
  return text.slice(Math.max(0, start - window), start);
}

/**
 * A telephone label, or North America's country code, just before a number: "Tel 415 555 0123",
 * "+1 415 555 0123", "1-415-…". Ten digits written so are a telephone number, not an NHS number or ULN.
 */
const PHONE_LABEL = /(?:\b(?:tel|telephone|phone|ph|call|fax|mobile|mob|cell|direct|switchboard)\b\.?\s*(?:no\.?|number)?\s*[:.-]?\s*|\+1[ .-]?|(?:^|\W)1-)$/i;

export function followsPhoneLabel(text: string, start: number): boolean {
  return PHONE_LABEL.test(textBefore(text, start, LABEL_WINDOW));
}

/**
 * Words that say the codes on a line are a product's: a hard disk's model ("ST380011A, ATA DISK
 * drive"), a part number, or a specification in computer units ("ST320014A 20.4GB/UDMA 100/5400rpm",
 * whatever language the rest of the line is in). An NI number or postcode written without its
 * spaces on such a line is a product code.
 */
const PRODUCT_WORDS =
  /\b(?:model|p\/n|disk|hard drive|hdd|ssd|ata|sata|scsi|udma|firmware|serial|sku|cpu|chipset|printer|toner|cartridge|laptop|router)s?\b|\d(?:\.\d+)? ?(?:[KMGT]B|rpm|[MG]Hz)\b/i;

/** True when the line holding `start` has a product word. */
export function onProductLine(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = text.indexOf('\n', end);
  return PRODUCT_WORDS.test(text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd));
}

/** True when a business-reference label sits right before `start`. */
export function followsReferenceLabel(text: string, start: number): boolean {
  return REFERENCE_LABEL.test(textBefore(text, start, LABEL_WINDOW));
}

/** True when `cue` matches somewhere in the `window` characters before `start`. */
export function hasCueBefore(text: string, start: number, cue: RegExp, window: number): boolean {
  return cue.test(textBefore(text, start, window));
}

/** Strips spaces and hyphens used to group the characters of an identifier. */
export function compact(text: string): string {
  return text.replace(/[\s-]/g, '');
}

/**
 * True for digits people type as placeholders: one digit repeated (0000 0000 0000 0000) or a run
 * up or down (1234567890, 9876543210). Some pass a checksum; none is anyone's number.
 */
export function isPlaceholderNumber(digits: string): boolean {
  let ascending = true;
  let descending = true;
  let repeated = true;
  for (let index = 1; index < digits.length; index += 1) {
    const step = (Number(digits.charAt(index)) - Number(digits.charAt(index - 1)) + 10) % 10;
    ascending &&= step === 1;
    descending &&= step === 9;
    repeated &&= step === 0;
  }
  return ascending || descending || repeated;
}

/** The earliest and latest Unix times read as such: 2001-09-09 (10 digits) to 2038-01-19 (32 bits). */
const UNIX_TIME_RANGE = [1_000_000_000, 2_147_483_647] as const;
const DATE_ON_LINE = /\b((?:19|20)\d\d)-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d))?/g;
const TWO_DAYS_SECONDS = 2 * 24 * 3600;

/**
 * True when ten digits are a Unix time written beside the date it encodes on the same line, as
 * logs and data exports write them ("1614282499,2021-02-25T19:48:19Z"): a clock reading, not a person's number.
 */
export function isUnixTimeBesideItsDate(text: string, start: number, end: number, digits: string): boolean {
  const seconds = Number(digits);
  if (seconds < UNIX_TIME_RANGE[0] || seconds > UNIX_TIME_RANGE[1]) return false;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = text.indexOf('\n', end);
  const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
  for (const date of line.matchAll(DATE_ON_LINE)) {
    const [, year, month, day, hour = '12', minute = '00'] = date;
    const written = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute)) / 1000;
    if (Math.abs(written - seconds) <= TWO_DAYS_SECONDS) return true;
  }
  return false;
}

/** Replaces every digit but the last `keep` with a bullet, keeping the grouping as written. */
export function maskDigits(text: string, keep: number): string {
  let toMask = (text.match(/\d/g) ?? []).length - keep;
  let masked = '';
  for (const char of text) {
    const isDigit = char >= '0' && char <= '9';
    masked += isDigit && toMask > 0 ? '•' : char;
    if (isDigit) toMask -= 1;
  }
  return masked;
}

/** Runs a global regex over `text` and keeps the matches `accept` agrees to. */
export function collectMatches(text: string, pattern: RegExp, accept: (match: RegExpExecArray) => boolean): IdentifierMatch[] {
  const found: IdentifierMatch[] = [];
  for (const match of text.matchAll(pattern)) {
    if (!accept(match)) continue;
    found.push({ start: match.index, end: match.index + match[0].length, text: match[0] });
  }
  return found;
}
