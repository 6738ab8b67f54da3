/**
 * Words of a text as the name matchers see them: where each is, its folded key, how it is
 * written (case), and what joins it to the word before. One pass over the text, O(length).
 */
import { RecentTexts } from './recent-texts.js';

/** How a word is written; only capitals can make an ordinary English word a name. */
export type TokenShape = 'lower' | 'capitalised' | 'upper';

/**
 * What lies between a word and the one before it.
 * - `space`: whitespace on one line (also `J. ` after a one-letter initial)
 * - `line-break`: whitespace containing a line break (HTML turned to text breaks names oddly)
 * - `hyphen`: a hyphen between letters, as in Smith-Jones
 * - `comma`: a comma with optional whitespace, as in "Mensah, Kwame"
 * - `other`: anything else (full stops, brackets, digits, @ …): names never run across it
 */
export type TokenGap = 'start' | 'space' | 'line-break' | 'hyphen' | 'comma' | 'other';

export interface NameToken {
  readonly start: number;
  readonly end: number;
  /** The word folded: lower case, no diacritics, no apostrophes (see `foldName`). */
  readonly key: string;
  /** For a word ending in 's (Mensah's): the folded word without it, and where it ends. */
  readonly possessive: { readonly key: string; readonly end: number } | undefined;
  readonly shape: TokenShape;
  readonly gap: TokenGap;
}

/** Apostrophe look-alikes people and word processors write inside names: O'Brien, O’Brien, O‘Brien, O`Brien. */
const APOSTROPHES = "'’‘`´ʼ′";
/** Soft hyphens and zero-width joiners that HTML leaves inside words. */
const IN_WORD_INVISIBLES = '\u00AD\u200C\u200D';
const WORD_CHARACTER = new RegExp(`[\\p{L}\\p{M}${IN_WORD_INVISIBLES}]`, 'u');
const APOSTROPHE_CODES: ReadonlySet<number> = new Set([...APOSTROPHES].map((apostrophe) => apostrophe.charCodeAt(0)));
const POSSESSIVE_SUFFIX = new RegExp(`[${APOSTROPHES}][sS]$`, 'u');
/** Not letters, and the modifier-letter apostrophes (ʼ ʻ) Unicode counts as letters. */
const NON_LETTERS = /[^\p{L}]+|[\u02b9-\u02bf]+/gu;
const ASCII_LOWER = /^[a-z]+$/;
/** Letters that do not decompose under NFD but that people write without: Øyvind = Oyvind. */
const UNDECOMPOSED: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ŀ: 'l',
  ħ: 'h',
};
const UNDECOMPOSED_LETTERS = new RegExp(`[${Object.keys(UNDECOMPOSED).join('')}]`, 'gu');

/**
 * A name or word folded for comparison: lower case, diacritics removed (Zoë = Zoe,
 * Siobhán = Siobhan), and everything that is not a letter dropped, so apostrophes in any
 * style and their omission compare equal (O’Brien = O'Brien = OBrien).
 */
export function foldName(text: string): string {
  const lower = text.toLowerCase();
  if (ASCII_LOWER.test(lower)) return lower;
  return lower
    .normalize('NFD')
    .replace(NON_LETTERS, '')
    .replace(UNDECOMPOSED_LETTERS, (letter) => UNDECOMPOSED[letter] ?? letter);
}

/**
 * The folded words of a name as written in a roster. Hyphens and spaces both separate words,
 * so "Smith-Jones" matches "Smith-Jones" and "Smith Jones" alike, and "Mary Jane" matches "Mary-Jane".
 */
export function nameKeys(name: string): string[] {
  return name
    .split(/[\s\-\u2010\u2011]+/u)
    .map(foldName)
    .filter((key) => key !== '');
}

const recentTokens = new RecentTexts<readonly NameToken[]>();

/** The words of `text`; the pupil, staff and person-name matchers ask for each piece in turn. */
export function tokenizeNames(text: string): readonly NameToken[] {
  return recentTokens.get(text) ?? recentTokens.remember(text, tokenize(text));
}

/**
 * A word is a run of letters (with combining marks and in-word invisibles), possibly joined by
 * apostrophes (O'Brien, Mensah's). Scanned by character code: most text is ASCII, and a regular
 * expression's match objects cost more than the words themselves.
 */
function tokenize(text: string): NameToken[] {
  const tokens: NameToken[] = [];
  let previousEnd = -1;
  let previousLength = 0;
  let at = 0;
  while (at < text.length) {
    const width = wordCharacterWidth(text, at);
    if (width === 0) {
      at += 1;
      continue;
    }
    const start = at;
    let ascii = true;
    while (at < text.length) {
      const next = wordCharacterWidth(text, at);
      if (next > 0) {
        if (text.charCodeAt(at) >= 0x80) ascii = false;
        at += next;
      } else if (APOSTROPHE_CODES.has(text.charCodeAt(at)) && wordCharacterWidth(text, at + 1) > 0) {
        ascii = false;
        at += 1;
      } else break;
    }
    const word = text.slice(start, at);
    const key = ascii ? word.toLowerCase() : foldName(word);
    // A stray combining mark or soft hyphen between words is not a word.
    if (key === '') continue;
    tokens.push({
      start,
      end: at,
      key,
      possessive: ascii ? undefined : possessiveOf(word, start),
      shape: ascii ? asciiShapeOf(word) : shapeOf(word),
      gap: previousEnd < 0 ? 'start' : gapBetween(text, previousEnd, start, previousLength === 1),
    });
    previousEnd = at;
    previousLength = at - start;
  }
  return tokens;
}

/** 0 when the character at `at` is not part of a word, else its length in UTF-16 units. */
function wordCharacterWidth(text: string, at: number): number {
  const code = text.charCodeAt(at);
  if (code < 0x80) return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) ? 1 : 0;
  if (Number.isNaN(code)) return 0;
  const character = String.fromCodePoint(text.codePointAt(at) ?? code);
  return WORD_CHARACTER.test(character) ? character.length : 0;
}

function asciiShapeOf(word: string): TokenShape {
  const first = word.charCodeAt(0);
  if (first >= 0x61) return 'lower';
  if (word.length === 1) return 'capitalised';
  for (let at = 1; at < word.length; at += 1) {
    if (word.charCodeAt(at) >= 0x61) return 'capitalised';
  }
  return 'upper';
}

function possessiveOf(word: string, start: number): NameToken['possessive'] {
  if (word.length < 4 || !POSSESSIVE_SUFFIX.test(word)) return undefined;
  return { key: foldName(word.slice(0, -2)), end: start + word.length - 2 };
}

function shapeOf(word: string): TokenShape {
  const first = word.charAt(0);
  if (first === first.toLowerCase() && first !== first.toUpperCase()) return 'lower';
  if (word.length > 1 && word === word.toUpperCase() && word !== word.toLowerCase()) return 'upper';
  return 'capitalised';
}

const SPACE = 0x20;
const COMMA = 0x2c;
const FULL_STOP = 0x2e;

function gapBetween(text: string, from: number, to: number, afterInitial: boolean): TokenGap {
  let at = from;
  // "Kwame J. Mensah": the full stop of a one-letter initial does not end the name.
  if (afterInitial && text.charCodeAt(at) === FULL_STOP && at + 1 < to) at += 1;
  if (to - at === 1 && isHyphen(text.charCodeAt(at))) return 'hyphen';
  let commas = 0;
  let lineBreak = false;
  for (; at < to; at += 1) {
    const code = text.charCodeAt(at);
    if (code === COMMA) commas += 1;
    else if (code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029) lineBreak = true;
    else if (!isSpace(code)) return 'other';
  }
  if (commas > 1) return 'other';
  if (commas === 1) return 'comma';
  return lineBreak ? 'line-break' : 'space';
}

function isHyphen(code: number): boolean {
  return code === 0x2d || code === 0x2010 || code === 0x2011;
}

/** Whitespace, including the no-break and zero-width spaces and soft hyphens HTML conversion leaves. */
function isSpace(code: number): boolean {
  return (
    code === SPACE ||
    code === 0xad ||
    code === 0x09 ||
    code === 0x0b ||
    code === 0x0c ||
    code === 0xa0 ||
    (code >= 0x2000 && code <= 0x200b) ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x2060 ||
    code === 0x3000 ||
    code === 0xfeff
  );
}
