import { escapeRegExp } from '../escape.js';
import {
  RegExpMatcher,
  SyntaxKind,
  collapseDuplicatesTransformer,
  parseRawPattern,
  resolveConfusablesTransformer,
  toAsciiLowerCaseTransformer,
  type BlacklistedTerm,
  type Node,
  type ParsedPattern,
  type TransformerFn,
} from 'obscenity';
import { z } from 'zod';
import type { TextPiece } from '../message/message-view.js';
import type { Detector, DetectorDefinition } from './detector.js';
import { categoriesOf, type Finding, type Span } from './finding.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';
import { defaultSeverity } from './categories.js';
import { inFrenchText } from './french-text.js';

/**
 * Swearing and slurs, which every seed acceptable use policy forbids in school
 * email (e.g. St Mary's Chiswick AUP 4.2: "Language must not include swear
 * words, or be offensive or abusive"). The word lists are ours
 * (`rules/vocabulary/language.yaml`); obscenity matches them.
 */
export const LANGUAGE_CATEGORIES = categoriesOf('language/');
export type LanguageCategory = (typeof LANGUAGE_CATEGORIES)[number];

const DETECTOR = 'language';

/**
 * How many repeats of a character survive the stretched-letter collapse
 * ("fuuuck" → "fuck"). Letters that are doubled in listed or ordinary words keep
 * two; `*` keeps every repeat so that masks such as "f**k" stay distinct.
 */
const KEPT_REPEATS: ReadonlyMap<string, number> = new Map([...[...'befgklnopstz'].map((letter) => [letter, 2] as const), ['*', Number.POSITIVE_INFINITY]]);
const DEFAULT_KEPT_REPEATS = 1;

/** The vocabulary is not usable: a pattern is malformed or can never match. */
export class LanguageVocabularyError extends HallmonitorError {
  readonly code = 'LANGUAGE_VOCABULARY_INVALID';
  /** Fix the file or the options and start again. */
  readonly disposition = 'configuration';
  override readonly name = 'LanguageVocabularyError';
}

const PATTERN_ALPHABET = /^\|?[a-z'*][a-z '*\-[\]?]*\|?$/;

/** A listed pattern, parsed, with its first character apart: patterns are grouped by it. */
interface CompiledPattern {
  readonly parsed: ParsedPattern;
  readonly head: string;
  readonly tail: readonly Node[];
}

function compilePattern(source: string): CompiledPattern {
  if (!PATTERN_ALPHABET.test(source)) {
    throw new LanguageVocabularyError(`"${source}": start with a letter and use only lower-case ASCII letters, spaces, apostrophes, hyphens, * and obscenity's | [ ] ?`);
  }
  let parsed: ParsedPattern;
  try {
    parsed = parseRawPattern(source);
  } catch (error) {
    throw new LanguageVocabularyError(`"${source}" is not an obscenity pattern: ${String(error)}`);
  }
  const [first, ...rest] = parsed.nodes;
  if (first?.kind !== SyntaxKind.Literal || first.chars.length === 0) {
    throw new LanguageVocabularyError(`"${source}" must begin with a plain character`);
  }
  const overlong = overlongRepeat(parsed);
  if (overlong !== undefined) {
    throw new LanguageVocabularyError(`"${source}" can never match: repeats in "${overlong}" are collapsed first`);
  }
  const [head = 0, ...tailChars] = first.chars;
  return { parsed, head: String.fromCodePoint(head), tail: [{ ...first, chars: tailChars }, ...rest] };
}

const patternSchema = z.string().superRefine((source, ctx) => {
  try {
    compilePattern(source);
  } catch (error) {
    if (!(error instanceof LanguageVocabularyError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
  }
});

const whitelistTermSchema = z
  .string()
  .min(1)
  .refine((term) => term === term.toLowerCase(), 'write whitelist terms in lower case');

/** `rules/vocabulary/language.yaml`. */
export const languageVocabularySchema = z.object({
  /** Swear words and insults: `language/profanity`. */
  profanity: z.array(patternSchema).min(1),
  /** Discriminatory or abusive terms: `language/slur`. */
  slurs: z.array(patternSchema).min(1),
  /** Innocent words containing a listed pattern ("Scunthorpe" problems). */
  whitelist: z.array(whitelistTermSchema).default([]),
});
export type LanguageVocabulary = z.output<typeof languageVocabularySchema>;

function overlongRepeat(pattern: ParsedPattern): string | undefined {
  for (const node of pattern.nodes) {
    if (node.kind !== SyntaxKind.Literal) continue;
    for (const run of String.fromCodePoint(...node.chars).matchAll(/(.)\1*/gs)) {
      if (run[0].length > (KEPT_REPEATS.get(run[1] ?? '') ?? DEFAULT_KEPT_REPEATS)) return run[0];
    }
  }
  return undefined;
}

/**
 * obscenity's table of look-alike characters (ｆ, 𝐟, ƒ, ѕ, |) as a function of
 * code points; it is a stateless transformer, which this relies on.
 */
function confusableResolver(): TransformerFn {
  const container = resolveConfusablesTransformer();
  if ('transform' in container) return container.transform;
  throw new Error('obscenity: the confusables transformer is expected to be stateless');
}

/** Zero-width characters, which hide nothing from a reader but split a word for a matcher. */
const INVISIBLE = '\u00AD\u200B\u200C\u200D\u2060\uFEFF';
const INVISIBLE_CHARS: ReadonlySet<string> = new Set(INVISIBLE);
const ZERO_WIDTH_SPACE = '\u200B';
const NON_ASCII_OR_PIPE = /[^\x00-\x7F]|\|/gu;

/**
 * Look-alikes become the ASCII character they imitate. A look-alike outside the
 * Basic Multilingual Plane takes two UTF-16 units, so it becomes the character
 * and a zero-width space, which `compact` then drops: the length stays the same.
 */
function asciiLookalikes(resolve: TransformerFn): (text: string) => string {
  return (text) =>
    text.replace(NON_ASCII_OR_PIPE, (char) => {
      const codePoint = char.codePointAt(0) ?? 0;
      const resolved = resolve(codePoint);
      if (resolved === undefined || resolved === codePoint || resolved > 0x7f) return char;
      return String.fromCharCode(resolved).padEnd(char.length, ZERO_WIDTH_SPACE);
    });
}

/**
 * Leetspeak inside a word that has letters ("sh1t", "b0ll0cks", "$hit"), never
 * in plain numbers, so that "A55", "page 5/46" or "£50" stay as written.
 */
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
};
/** Where a token with leetspeak may be: most texts have few of these characters, and many none. */
const LEET_CANDIDATE = /[013457@$!]/g;

/** A character of a token that may hold leetspeak: an ASCII letter or digit, `@`, `$` or `!`. */
function isTokenChar(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x40 || code === 0x24 || code === 0x21;
}

/**
 * Resolves leetspeak in every token (a run of token characters) that has an ASCII letter: each
 * of `LEET`'s characters becomes its letter, but a `!` that ends its token ("wow!"). The search
 * starts from those characters, character by character, and each token is judged once however
 * many it holds: a pattern for the tokens themselves is tried at every place in the text, and
 * rewriting each token copies it, several times the cost on 20 KB (docs/benchmarks.md).
 */
function resolveLeetTokens(text: string): string {
  let resolved = '';
  let copied = 0;
  let tokenHasLetter = false;
  let previousHit = -1;
  LEET_CANDIDATE.lastIndex = 0;
  for (let hit = LEET_CANDIDATE.exec(text); hit !== null; hit = LEET_CANDIDATE.exec(text)) {
    const at = hit.index;
    let start = at;
    while (start > 0 && start - 1 !== previousHit && isTokenChar(text.charCodeAt(start - 1))) start -= 1;
    // Walking back stops at the previous hit only inside the same token, which was judged then.
    if (previousHit < 0 || start - 1 !== previousHit) tokenHasLetter = hasAsciiLetter(text, start);
    previousHit = at;
    const char = text.charAt(at);
    if (!tokenHasLetter || (char === '!' && !isTokenChar(text.charCodeAt(at + 1)))) continue;
    resolved += text.slice(copied, at) + (LEET[char] ?? char);
    copied = at + 1;
  }
  return copied === 0 ? text : resolved + text.slice(copied);
}

/** Whether the token starting at `start` has an ASCII letter. */
function hasAsciiLetter(text: string, start: number): boolean {
  for (let index = start; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (!isTokenChar(code)) return false;
    if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) return true;
  }
  return false;
}

/** Whitespace but the plain space, which needs no rewriting and is most of a text's whitespace. */
const OTHER_WHITESPACE = /[^\S ]/g;

/**
 * Rewrites that keep the text's length, so that indices need no mapping: any
 * whitespace is a space, curly apostrophes are straight, look-alikes and
 * leetspeak are resolved.
 */
function sameLengthRewrites(resolve: TransformerFn): (text: string) => string {
  const lookalikes = asciiLookalikes(resolve);
  return (text) => resolveLeetTokens(lookalikes(text.replace(OTHER_WHITESPACE, ' ').replace(/[\u2018\u2019]/g, "'")));
}

/**
 * Three or more single letters split by the same dot, dash, underscore or space:
 * "f.u.c.k", "s h i t". Letters only, so that "5.1.1" and dates stay as written.
 */
const SPELLED_LETTER = `[A-Za-z][${INVISIBLE}]*`;
const SPELLED_OUT = new RegExp(`(?<![A-Za-z0-9])${SPELLED_LETTER}([. _-])${SPELLED_LETTER}(?:\\1${SPELLED_LETTER})+(?![A-Za-z0-9])`, 'g');
const HAS_INVISIBLE = new RegExp(`[${INVISIBLE}]`);

/** Text to match, and the index in the original text of each of its characters. */
interface MatchableText {
  readonly text: string;
  readonly originalIndex: (index: number) => number;
}

/** Drops zero-width characters and the separators of spelt-out words, remembering where the rest came from. */
function compact(text: string): MatchableText {
  const runs = [...text.matchAll(SPELLED_OUT)];
  if (runs.length === 0 && !HAS_INVISIBLE.test(text)) return { text, originalIndex: (index) => index };
  const separators = new Set<number>();
  for (const run of runs) {
    for (let index = run.index; index < run.index + run[0].length; index++) {
      if (text.charAt(index) === run[1]) separators.add(index);
    }
  }
  const kept: number[] = [];
  for (let index = 0; index < text.length; index++) {
    if (!separators.has(index) && !INVISIBLE_CHARS.has(text.charAt(index))) kept.push(index);
  }
  return {
    text: kept.map((index) => text.charAt(index)).join(''),
    originalIndex: (index) => kept[index] ?? text.length,
  };
}

/** A regular expression for a node that also accepts stretched and upper-case text. */
function looseNodeSource(node: Node): string {
  switch (node.kind) {
    case SyntaxKind.Literal:
      return node.chars.map((char) => `${escapeRegExp(String.fromCodePoint(char))}+`).join('');
    case SyntaxKind.Wildcard:
      return '[^]+?';
    case SyntaxKind.Optional:
      return `(?:${looseNodeSource(node.childNode)})?`;
  }
}

/**
 * One regular expression that matches wherever any pattern could match the
 * rewritten text: a superset of what obscenity finds (any case, repeats
 * allowed), factored by first character so that one pass stays cheap.
 * obscenity reads text a character at a time, several milliseconds for 20 KB,
 * so it only reads the windows this finds. The patterns are lower case and it
 * is tried on lower-cased text (`prefilterText`): without the `i` flag the
 * engine scans several times faster.
 */
function buildPrefilter(patterns: readonly CompiledPattern[]): RegExp {
  const byHead = new Map<string, string[]>();
  for (const { parsed, head, tail } of patterns) {
    // obscenity compiles `|` to `\b` on the lower-cased text, so `\w` lookarounds test the same.
    const before = parsed.requireWordBoundaryAtStart ? '(?<!\\w)' : '';
    const after = parsed.requireWordBoundaryAtEnd ? '(?!\\w)' : '';
    const key = `${before}${escapeRegExp(head)}+`;
    const tails = byHead.get(key) ?? [];
    tails.push(tail.map(looseNodeSource).join('') + after);
    byHead.set(key, tails);
  }
  return new RegExp([...byHead].map(([head, tails]) => `${head}(?:${tails.join('|')})`).join('|'), 'g');
}

/**
 * The text to try the prefilter on, in lower case, with every index where it was. Lower-casing
 * lengthens one character (İ, to i and a combining dot), and a text that has it is tried as
 * written with the `i` flag instead. Without the `u` flag, `i` folds only ASCII letters, which
 * lower-casing folds too.
 */
function prefilterText(text: string, lowerCase: RegExp, anyCase: RegExp): { readonly text: string; readonly pattern: RegExp } {
  const lowered = text.toLowerCase();
  return lowered.length === text.length ? { text: lowered, pattern: lowerCase } : { text, pattern: anyCase };
}

type Window = readonly [start: number, end: number];

/** Widens a range by `margin`, then out to the nearest spaces so that no word is cut. */
function widen(text: string, start: number, end: number, margin: number): Window {
  const from = text.lastIndexOf(' ', Math.max(0, start - margin) - 1) + 1;
  const space = text.indexOf(' ', Math.min(text.length, end + margin));
  return [from, space === -1 ? text.length : space];
}

function mergeWindows(windows: Window[]): Window[] {
  const merged: [number, number][] = [];
  for (const [start, end] of windows.sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1);
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

interface RawMatch {
  readonly start: number;
  readonly end: number;
  readonly category: LanguageCategory;
}

const WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The character (a whole surrogate pair where there is one) that ends just before `index`. */
function charBefore(text: string, index: number): string {
  return index >= 2 && isHighSurrogate(text.charCodeAt(index - 2)) ? text.slice(index - 2, index) : text.charAt(index - 1);
}

/** The character (a whole surrogate pair where there is one) that starts at `index`. */
function charFrom(text: string, index: number): string {
  return isHighSurrogate(text.charCodeAt(index)) ? text.slice(index, index + 2) : text.charAt(index);
}

/** Reports the whole word as written ("fucking", not the listed "fuck"), never half a surrogate pair. */
function wholeWord(text: string, start: number, end: number): Span {
  let from = start;
  let to = end > 0 && isHighSurrogate(text.charCodeAt(end - 1)) ? end + 1 : end;
  for (let char = charBefore(text, from); from > 0 && WORD_CHAR.test(char); char = charBefore(text, from)) from -= char.length;
  for (let char = charFrom(text, to); to < text.length && WORD_CHAR.test(char); char = charFrom(text, to)) to += char.length;
  return { start: from, end: to };
}

/** Overlapping matches (a phrase and a word in it, two patterns for one word) become one; a slur wins. */
function mergeMatches(matches: RawMatch[]): RawMatch[] {
  const merged: RawMatch[] = [];
  for (const match of matches.sort((a, b) => a.start - b.start)) {
    const last = merged.at(-1);
    if (last !== undefined && match.start < last.end) {
      merged[merged.length - 1] = {
        start: last.start,
        end: Math.max(last.end, match.end),
        category: last.category === 'language/slur' ? last.category : match.category,
      };
    } else {
      merged.push(match);
    }
  }
  return merged;
}

const EXPLANATIONS: Readonly<Record<LanguageCategory, string>> = {
  'language/profanity': "This is a swear word or an insult. The school's acceptable use policy does not allow swearing or offensive language in email.",
  'language/slur': "This is a slur: a racist, homophobic, transphobic or disablist term. The school's acceptable use policy forbids discriminatory or abusive language.",
};

/** Listed words that are everyday French ("en retard": late), not reported where the text around them is French. */
const ORDINARY_IN_FRENCH: ReadonlySet<string> = new Set(['retard', 'retards']);

/** Pattern ids carry the category: profanity counts up from 0, slurs down from -1. */
function patternId(category: LanguageCategory, index: number): number {
  return category === 'language/slur' ? -1 - index : index;
}

function categoryOf(patternId: number): LanguageCategory {
  return patternId < 0 ? 'language/slur' : 'language/profanity';
}

interface ListedPattern extends CompiledPattern {
  readonly id: number;
}

/** One obscenity matcher per first character, so that a window is read only for the patterns that may match in it. */
function matchersByHead(patterns: readonly ListedPattern[], whitelist: readonly string[]): ReadonlyMap<string, RegExpMatcher> {
  const heads = new Set(patterns.map((pattern) => pattern.head));
  return new Map(
    [...heads].map((head) => {
      const blacklistedTerms: BlacklistedTerm[] = patterns.filter((pattern) => pattern.head === head).map(({ id, parsed }) => ({ id, pattern: parsed }));
      const matcher = new RegExpMatcher({
        blacklistedTerms,
        whitelistedTerms: [...whitelist],
        blacklistMatcherTransformers: [
          toAsciiLowerCaseTransformer(),
          collapseDuplicatesTransformer({ defaultThreshold: DEFAULT_KEPT_REPEATS, customThresholds: new Map(KEPT_REPEATS) }),
        ],
        whitelistMatcherTransformers: [
          toAsciiLowerCaseTransformer(),
          collapseDuplicatesTransformer({ defaultThreshold: Number.POSITIVE_INFINITY, customThresholds: new Map([[' ', 1]]) }),
        ],
      });
      return [head, matcher];
    }),
  );
}

export function createLanguageDetector(vocabulary: LanguageVocabulary): Detector {
  const listed = (category: LanguageCategory) => (source: string, index: number) => ({
    ...compilePattern(source),
    id: patternId(category, index),
  });
  const patterns = [...vocabulary.profanity.map(listed('language/profanity')), ...vocabulary.slurs.map(listed('language/slur'))];
  const matchers = matchersByHead(patterns, vocabulary.whitelist);
  const prefilter = buildPrefilter(patterns);
  const prefilterAnyCase = new RegExp(prefilter.source, 'gi');
  const rewrite = sameLengthRewrites(confusableResolver());
  // A whitelisted phrase, and a whole phrase pattern, must lie inside the window obscenity reads.
  const margin = Math.max(...[...vocabulary.whitelist, ...vocabulary.profanity, ...vocabulary.slurs].map((term) => term.length));

  /** Windows of the text worth reading, by the first character of the patterns that may match there. */
  function candidateWindows(text: string): Map<string, Window[]> {
    const windows = new Map<string, Window[]>();
    const searched = prefilterText(text, prefilter, prefilterAnyCase);
    for (const hit of searched.text.matchAll(searched.pattern)) {
      const head = hit[0].charAt(0).toLowerCase();
      const found = windows.get(head) ?? [];
      found.push(widen(text, hit.index, hit.index + hit[0].length, margin));
      windows.set(head, found);
    }
    return windows;
  }

  function matchesIn(matchable: MatchableText): RawMatch[] {
    const matches: RawMatch[] = [];
    for (const [head, windows] of candidateWindows(matchable.text)) {
      const matcher = matchers.get(head);
      if (matcher === undefined) continue;
      for (const [start, end] of mergeWindows(windows)) {
        for (const payload of matcher.getAllMatches(matchable.text.slice(start, end))) {
          matches.push({
            start: matchable.originalIndex(start + payload.startIndex),
            end: matchable.originalIndex(start + payload.endIndex) + 1,
            category: categoryOf(payload.termId),
          });
        }
      }
    }
    return matches;
  }

  function findingsIn(piece: TextPiece): Finding[] {
    const matchable = compact(rewrite(piece.text));
    const words = matchesIn(matchable)
      .map((match) => ({ ...match, ...wholeWord(piece.text, match.start, match.end) }))
      .filter((match) => !(ORDINARY_IN_FRENCH.has(piece.text.slice(match.start, match.end).toLowerCase()) && inFrenchText(piece.text, match.start, match.end)));
    return mergeMatches(words).map(({ start, end, category }) => ({
      detector: DETECTOR,
      category,
      severity: defaultSeverity(category),
      location: piece.location,
      match: piece.text.slice(start, end),
      span: { start, end },
      explanation: EXPLANATIONS[category],
      suggestion: 'Remove or rephrase this word.',
    }));
  }

  return function detectLanguage(view) {
    return view.pieces.flatMap(findingsIn);
  };
}

export const languageDetector: DetectorDefinition = {
  name: DETECTOR,
  categories: LANGUAGE_CATEGORIES,
  build: async (vocabulary) => createLanguageDetector(await vocabulary('language.yaml', languageVocabularySchema)),
};
