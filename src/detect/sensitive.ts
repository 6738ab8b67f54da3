import { z } from 'zod';
import type { TextPiece } from '../message/message-view.js';
import { namesAPupil, personNear } from './about-a-person.js';
import type { Detector, DetectorDefinition } from './detector.js';
import { categoriesOf, type Finding, type Span } from './finding.js';
import { describeLocation } from './describe-location.js';
import { createLiteralPrefilter, type Literal, type LiteralHit } from './literal-prefilter.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';
import { defaultSeverity } from './categories.js';

export const SENSITIVE_CATEGORIES = categoriesOf('sensitive/');

export type SensitiveCategory = (typeof SENSITIVE_CATEGORIES)[number];

/** A category's key in the vocabulary file: `health` for `sensitive/health`. */
export type SensitiveVocabularyKey = SensitiveCategory extends `sensitive/${infer Key}` ? Key : never;

/** The words of one category; the pattern syntax is described in `rules/vocabulary/sensitive.yaml`. */
export interface SensitiveCategoryVocabulary {
  /** What the category is, in words for a teacher: "Health or medical information". */
  readonly description: string;
  /** How to send it properly. */
  readonly suggestion: string;
  /** Patterns whose small and capital letters are alike. */
  readonly terms: readonly string[];
  /** Patterns whose capitals match only capitals: "SEND support" fires, "send support" does not. */
  readonly acronyms: readonly string[];
  /** Patterns that defuse any term match they overlap: "health and safety". */
  readonly exclude: readonly string[];
}

export interface SensitiveVocabulary {
  /** Named phrase lists that patterns use as `{name}`. */
  readonly lists: Readonly<Record<string, readonly string[]>>;
  readonly categories: Readonly<Record<SensitiveVocabularyKey, SensitiveCategoryVocabulary>>;
}

/** The vocabulary is not usable: a pattern is malformed or names a list that does not exist. */
export class SensitiveVocabularyError extends HallmonitorError {
  readonly code = 'SENSITIVE_VOCABULARY_INVALID';
  /** Fix the file or the options and start again. */
  readonly disposition = 'configuration';
  override readonly name = 'SensitiveVocabularyError';
}

type CaseRule = 'any-case' | 'capitals-exact';

const DETECTOR = 'sensitive';

/**
 * A match must not start or end inside a word, nor run into a hyphenated word: a
 * "dyslexia-friendly classroom" is about a room, not a person. The look-behind also makes the
 * scan fast: most places in a text are inside a word and are rejected before any alternative.
 */
const WORD_START = String.raw`(?<![\p{L}\p{N}])`;
const WORD_END = String.raw`(?![\p{L}\p{N}]|-[\p{L}\p{N}])`;

/** A space or hyphen in a pattern: "self-harm" matches "self harm", "self-harm" and "self - harm". */
const SEPARATOR = String.raw`(?:\s*[-‐–]\s*|\s+)`;
/** A character that SEPARATOR matches. */
const SEPARATOR_CHAR = /[\s\-‐–]/u;
const WHITESPACE_CHAR = /\s/u;

/** SEPARATOR_CHAR, without a regular expression for ASCII (the search around literals asks it of every character it passes). */
function isSeparator(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  return code < 0x80 ? code === 0x20 || code === 0x2d || (code >= 0x09 && code <= 0x0d) : SEPARATOR_CHAR.test(text.charAt(at));
}

function isWhitespace(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  return code < 0x80 ? code === 0x20 || (code >= 0x09 && code <= 0x0d) : WHITESPACE_CHAR.test(text.charAt(at));
}
const APOSTROPHE = "['’]";
const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/;

/**
 * Compiles one pattern to a regular-expression source. `(a|b)` is one of; `[a|b]` is optional;
 * `{name}` is one of the phrases in `lists.name` (lists cannot name lists). `atWordStart`: whether
 * no letter or digit can stand just before the pattern (a whole pattern starts with `WORD_START`).
 */
function compilePattern(pattern: string, caseRule: CaseRule, lists: Readonly<Record<string, readonly string[]>> | undefined, atWordStart = true): CompiledPattern {
  const parser = new PatternParser(pattern, caseRule, lists);
  const compiled = parser.alternatives('', atWordStart);
  if (!parser.atEnd()) parser.fail(`unexpected "${parser.peek()}"`);
  return compiled;
}

/**
 * A pattern as a regular-expression source, with literal strings of which every match contains
 * at least one (small and capital letters alike); undefined where no such literal can be named.
 */
interface CompiledPattern {
  readonly source: string;
  readonly literals: readonly Literal[] | undefined;
  /**
   * The most characters of a match that may be spaces or dashes, counting each run of them once:
   * how many words a match can reach beyond one of its literals.
   */
  readonly separators: number;
}

class PatternParser {
  private position = 0;

  constructor(
    private readonly pattern: string,
    private readonly caseRule: CaseRule,
    private readonly lists: Readonly<Record<string, readonly string[]>> | undefined,
  ) {}

  atEnd(): boolean {
    return this.position >= this.pattern.length;
  }

  peek(): string {
    return this.pattern.charAt(this.position);
  }

  fail(problem: string): never {
    throw new SensitiveVocabularyError(`pattern "${this.pattern}": ${problem}`);
  }

  /** Sequences separated by `|`, up to `closer` (or the end when `closer` is empty), each starting where `atWordStart` says. */
  alternatives(closer: string, atWordStart: boolean): CompiledPattern {
    const options = [this.sequence(closer, atWordStart)];
    while (this.peek() === '|') {
      this.position += 1;
      options.push(this.sequence(closer, atWordStart));
    }
    if (closer !== '') {
      if (this.peek() !== closer) this.fail(`missing "${closer}"`);
      this.position += 1;
    }
    return { source: options.map((option) => option.source).join('|'), literals: anyOf(options), separators: mostSeparators(options) };
  }

  private sequence(closer: string, atWordStart: boolean): CompiledPattern {
    const parts: Part[] = [];
    while (!this.atEnd() && this.peek() !== '|' && this.peek() !== closer) {
      const part = this.part(startsAtWordStart(parts, atWordStart));
      if (!(part.kind === 'separator' && parts.at(-1)?.kind === 'separator')) parts.push(part);
    }
    return { source: joinParts(parts), literals: requiredLiterals(parts), separators: parts.reduce((sum, part) => sum + part.separators, 0) };
  }

  private part(atWordStart: boolean): Part {
    const char = this.peek();
    this.position += 1;
    if (char === '(') {
      const group = this.alternatives(')', atWordStart);
      return { kind: 'fixed', source: `(?:${group.source})`, literals: group.literals, separators: group.separators, atWordStart };
    }
    if (char === '[') return { kind: 'optional', ...this.alternatives(']', atWordStart), atWordStart };
    if (char === '{') return { kind: 'fixed', ...this.list(atWordStart), atWordStart };
    if (char === ')' || char === ']' || char === '}') this.fail(`unmatched "${char}"`);
    if (/\s|-/.test(char)) return { kind: 'separator', source: SEPARATOR, literals: undefined, separators: 1, atWordStart };
    const source = this.literal(char);
    // A dash other than the hyphen is matched as itself, but the search around literals counts it as a separator.
    return { kind: 'fixed', source, literals: undefined, separators: SEPARATOR_CHAR.test(char) ? 1 : 0, char: source === APOSTROPHE ? undefined : char, atWordStart };
  }

  private list(atWordStart: boolean): CompiledPattern {
    const end = this.pattern.indexOf('}', this.position);
    if (end === -1) this.fail('missing "}"');
    const name = this.pattern.slice(this.position, end);
    this.position = end + 1;
    if (this.lists === undefined) this.fail(`list {${name}} used inside a list`);
    const phrases = this.lists[name];
    if (phrases === undefined) this.fail(`no list named "${name}"`);
    const compiled = longestFirst(phrases).map((phrase) => compilePattern(phrase, this.caseRule, undefined, atWordStart));
    return { source: `(?:${compiled.map((phrase) => phrase.source).join('|')})`, literals: anyOf(compiled), separators: mostSeparators(compiled) };
  }

  private literal(char: string): string {
    if (char === "'" || char === '’') return APOSTROPHE;
    const lower = char.toLowerCase();
    if (this.caseRule === 'capitals-exact' && char === lower && lower !== char.toUpperCase()) {
      return `[${lower}${char.toUpperCase()}]`;
    }
    return REGEX_SPECIAL.test(char) ? `\\${char}` : char;
  }
}

/** A piece of a pattern: a separator, an optional group (its alternatives), or anything else. */
interface Part extends CompiledPattern {
  readonly kind: 'separator' | 'optional' | 'fixed';
  /** The character written, for a part that matches just that character (any case). */
  readonly char?: string | undefined;
  /** Whether no letter or digit can stand just before the part in a match. */
  readonly atWordStart: boolean;
}

/**
 * Whether a part that follows `parts` starts at a word's start: at the sequence's start when the
 * sequence does, or after a separator that `joinParts` keeps (a space or dash is then just before
 * it). The separator after a leading optional word goes inside it ("[opt] word"): the part after it
 * may then stand at the sequence's start. After anything else a letter may stand just before.
 */
function startsAtWordStart(parts: readonly Part[], sequenceAtWordStart: boolean): boolean {
  const previous = parts.at(-1);
  if (previous === undefined) return sequenceAtWordStart;
  if (previous.kind !== 'separator') return false;
  return parts.length === 2 && parts[0]?.kind === 'optional' ? sequenceAtWordStart : true;
}

/** Every alternative names its literals, so a match of any of them contains one of theirs. */
function anyOf(options: readonly CompiledPattern[]): readonly Literal[] | undefined {
  const literals: Literal[] = [];
  for (const option of options) {
    if (option.literals === undefined) return undefined;
    literals.push(...option.literals);
  }
  return literals;
}

function mostSeparators(options: readonly CompiledPattern[]): number {
  return Math.max(0, ...options.map((option) => option.separators));
}

/**
 * A match of a sequence contains every part that is not optional: each run of plain characters
 * ("medication"), and one literal of each group or list. The most selective of these is kept:
 * the one whose shortest literal is longest.
 */
function requiredLiterals(parts: readonly Part[]): readonly Literal[] | undefined {
  const candidates: (readonly Literal[])[] = [];
  let run: Literal | undefined;
  for (const part of parts) {
    if (part.char !== undefined) {
      run = { text: (run?.text ?? '') + part.char, atWordStart: run?.atWordStart ?? part.atWordStart };
      continue;
    }
    if (run !== undefined) candidates.push([run]);
    run = undefined;
    if (part.kind === 'fixed' && part.literals !== undefined && part.literals.length > 0) candidates.push(part.literals);
  }
  if (run !== undefined) candidates.push([run]);
  const shortest = (literals: readonly Literal[]) => Math.min(...literals.map((literal) => literal.text.length));
  return candidates.reduce<readonly Literal[] | undefined>((best, next) => (best === undefined || shortest(next) > shortest(best) ? next : best), undefined);
}

/**
 * Joins the parts of a sequence. A separator next to an optional word goes inside it, so that
 * "pupil premium [plus]" matches "pupil premium" and "[individual] health care plan" matches
 * "health care plan": "word [opt]" and "word [opt] word" take the separator before the
 * optional word, "[opt] word" at the start the one after it. "is [a |an ]{faith}" is left alone:
 * its optional words carry their own separator.
 */
function joinParts(parts: readonly Part[]): string {
  let source = '';
  for (let index = 0; index < parts.length; index += 1) {
    const [part, next, afterNext] = [parts[index], parts[index + 1], parts[index + 2]];
    if (part === undefined) break;
    const optionalEndsPhrase = afterNext === undefined || afterNext.kind === 'separator';
    if (part.kind === 'separator' && next?.kind === 'optional' && optionalEndsPhrase) {
      source += `(?:${SEPARATOR}(?:${next.source}))?`;
      index += 1;
    } else if (part.kind === 'optional' && index === 0 && next?.kind === 'separator') {
      source += `(?:(?:${part.source})${SEPARATOR})?`;
      index += 1;
    } else {
      source += part.kind === 'optional' ? `(?:${part.source})?` : part.source;
    }
  }
  return source;
}

/** Longer patterns first, so that where two match at one place the longer is taken. */
function longestFirst(patterns: readonly string[]): string[] {
  return [...patterns].sort((a, b) => b.length - a.length);
}

function alternation(patterns: readonly string[], caseRule: CaseRule, lists: SensitiveVocabulary['lists']): CompiledPattern[] {
  return longestFirst(patterns).map((pattern) => compilePattern(pattern, caseRule, lists));
}

/**
 * Terms run with the `i` flag (character classes for every letter would be as correct but defeat
 * the regular-expression engine's fast scanning); acronyms spell out their small letters instead.
 */
function compileMatcher(patterns: readonly CompiledPattern[], flags: 'gu' | 'giu'): RegExp | undefined {
  const sources = patterns.map((pattern) => pattern.source);
  return sources.length === 0 ? undefined : new RegExp(`${WORD_START}(?:${sources.join('|')})${WORD_END}`, flags);
}

interface CategoryMatcher {
  readonly category: SensitiveCategory;
  readonly vocabulary: SensitiveCategoryVocabulary;
  /** Every match of a finder contains one of these (any case); undefined when none can be named. */
  readonly literals: readonly Literal[] | undefined;
  /** The most runs of spaces or dashes in one match of a finder. */
  readonly separators: number;
  readonly finders: readonly RegExp[];
  readonly exclude: RegExp | undefined;
}

function compileCategory(category: SensitiveCategory, vocabulary: SensitiveVocabulary): CategoryMatcher {
  const words = vocabulary.categories[vocabularyKey(category)];
  const terms = alternation(words.terms, 'any-case', vocabulary.lists);
  const acronyms = alternation(words.acronyms, 'capitals-exact', vocabulary.lists);
  const finders = [compileMatcher(terms, 'giu'), compileMatcher(acronyms, 'gu')];
  return {
    category,
    vocabulary: words,
    literals: anyOf([...terms, ...acronyms]),
    separators: mostSeparators([...terms, ...acronyms]),
    finders: finders.filter((finder) => finder !== undefined),
    exclude: compileMatcher(alternation(words.exclude, 'any-case', vocabulary.lists), 'giu'),
  };
}

function vocabularyKey(category: SensitiveCategory): SensitiveVocabularyKey {
  return category.slice('sensitive/'.length) as SensitiveVocabularyKey;
}

/**
 * Every match of a global pattern, by `exec` on the pattern itself: `matchAll` would copy the
 * pattern first, which costs more than a short stretch takes to read.
 */
function matchRanges(pattern: RegExp, text: string, offset = 0): Span[] {
  const ranges: Span[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    ranges.push({ start: offset + match.index, end: offset + match.index + match[0].length });
    if (match[0].length === 0) pattern.lastIndex += 1;
  }
  return ranges;
}

/** "SEN" inside "SEN support plan" (an acronym inside a term) is the same fact, reported once as the longer. */
function withinLonger(range: Span, others: readonly Span[]): boolean {
  return others.some((other) => other.start <= range.start && range.end <= other.end && other.end - other.start > range.end - range.start);
}

function overlapsAny(range: Span, others: readonly Span[]): boolean {
  return others.some((other) => range.start < other.end && other.start < range.end);
}

/**
 * Where the finders need to look: the whole text, or only around the places where one of the
 * category's literals starts. Every match contains one of its literals and at most `separators`
 * runs of spaces or dashes, so a match lies within `separators` words either side of one of them.
 */
type SearchArea = 'whole-text' | readonly LiteralHit[];

function findInPiece(matcher: CategoryMatcher, piece: TextPiece, area: SearchArea, aboutAPupil: () => boolean): Finding[] {
  const stretches = area === 'whole-text' ? [{ start: 0, end: piece.text.length }] : stretchesAround(piece.text, area, matcher.separators);
  const hits = stretches.flatMap(({ start, end }) => {
    const stretch = piece.text.slice(start, end);
    return matcher.finders.flatMap((finder) => matchRanges(finder, stretch, start));
  });
  if (hits.length === 0) return [];
  const defused = matcher.exclude === undefined ? [] : matchRanges(matcher.exclude, piece.text);
  return hits
    .filter((hit) => !withinLonger(hit, hits) && !overlapsAny(hit, defused) && (aboutAPupil() || personNear(piece.text, hit)))
    .sort((a, b) => a.start - b.start)
    .map((hit) => toFinding(matcher, piece, hit));
}

/**
 * The stretches of `text` that hold every match of patterns with at most `separators` runs of
 * spaces or dashes containing one of the literals at `hits`; overlapping stretches are joined.
 * A finder reads a stretch as it would read the whole text: a stretch starts at the text's start
 * or just after a space or dash (the finders' look-behind sees no letter either way), and ends at
 * the text's end or before a space (their look-ahead sees no letter, nor a hyphen before one).
 */
export function stretchesAround(text: string, hits: readonly LiteralHit[], separators: number): Span[] {
  const stretches: Span[] = [];
  for (const hit of hits) {
    const last = stretches.at(-1);
    // A hit inside the last stretch joins it (its own start would be no earlier): only its end is sought.
    if (last !== undefined && hit.index < last.end) {
      const end = endOfWordsAfter(text, hit.index + hit.length, separators);
      if (end > last.end) stretches[stretches.length - 1] = { start: last.start, end };
      continue;
    }
    const start = startOfWordsBefore(text, hit.index, separators);
    const end = endOfWordsAfter(text, hit.index + hit.length, separators);
    if (last !== undefined && start < last.end) stretches[stretches.length - 1] = { start: last.start, end: Math.max(last.end, end) };
    else stretches.push({ start, end });
  }
  return stretches;
}

/** Going back from `index` across at most `runs` runs of separators: where the words reached start. */
function startOfWordsBefore(text: string, index: number, runs: number): number {
  let crossed = 0;
  let inRun = false;
  for (let at = index - 1; at >= 0; at -= 1) {
    const separator = isSeparator(text, at);
    if (separator && !inRun && (crossed += 1) > runs) return at + 1;
    inRun = separator;
  }
  return 0;
}

/** Going on from `index` across at most `runs` runs of separators: a place before a space where the words reached end. */
function endOfWordsAfter(text: string, index: number, runs: number): number {
  let crossed = 0;
  let inRun = false;
  let at = index;
  for (; at < text.length; at += 1) {
    const separator = isSeparator(text, at);
    if (separator && !inRun && (crossed += 1) > runs) break;
    inRun = separator;
  }
  // A dash may join the last word to the next one ("dyslexia-friendly"): end at the next space instead.
  while (at < text.length && !isWhitespace(text, at)) at += 1;
  return at;
}

function toFinding(matcher: CategoryMatcher, piece: TextPiece, hit: Span): Finding {
  return {
    detector: DETECTOR,
    category: matcher.category,
    severity: defaultSeverity(matcher.category),
    location: piece.location,
    match: piece.text.slice(hit.start, hit.end),
    span: hit,
    explanation: `${matcher.vocabulary.description} appears ${describeLocation(piece.location)}.`,
    suggestion: matcher.vocabulary.suggestion,
  };
}

/**
 * Special-category and sensitive information about people (UK GDPR Art. 9; DfE census items such
 * as SEN, free school meals and children in need). Each category's terms and acronyms are compiled
 * once, into one regular expression each, tried only around the places where a text holds one of
 * the category's literals (`whole-text` tries them on every text that holds one: the reference the
 * tests hold the faster search to); a term counts only where it is about a person
 * (`about-a-person.ts`). The policy combines these findings with names to decide.
 */
export function createSensitiveDetector(vocabulary: SensitiveVocabulary, search: 'around-literals' | 'whole-text' = 'around-literals'): Detector {
  const matchers = SENSITIVE_CATEGORIES.map((category) => compileCategory(category, vocabulary));
  const categoriesIn = createLiteralPrefilter(matchers.map((matcher) => matcher.literals));
  return function detectSensitive(view, context) {
    let aboutAPupil: boolean | undefined;
    const messageNamesAPupil = () => (aboutAPupil ??= namesAPupil(view, context.directory));
    return view.pieces.flatMap((piece) => {
      const { wholeText, hitsByGroup } = categoriesIn(piece.text);
      return matchers.flatMap((matcher, index) => {
        const area: SearchArea | undefined = wholeText.has(index) || search === 'whole-text' ? 'whole-text' : hitsByGroup.get(index);
        return area === undefined ? [] : findInPiece(matcher, piece, area, messageNamesAPupil);
      });
    });
  };
}

const patternList = z.array(z.string().trim().min(1)).default([]);

const categorySchema = z.object({
  description: z.string().min(1),
  suggestion: z.string().min(1),
  terms: patternList,
  acronyms: patternList,
  exclude: patternList,
});

const categoriesSchema = z.object({
  health: categorySchema,
  sen: categorySchema,
  safeguarding: categorySchema,
  'free-school-meals': categorySchema,
  ethnicity: categorySchema,
  religion: categorySchema,
  'sexual-orientation': categorySchema,
});

/** Validates the vocabulary file, including every pattern, and names the path of a bad one. */
export const sensitiveVocabularySchema: z.ZodType<SensitiveVocabulary> = z
  .object({
    lists: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), z.array(z.string().trim().min(1)).min(1)).default({}),
    categories: categoriesSchema,
  })
  .superRefine((vocabulary, context) => {
    for (const [key, words] of Object.entries(vocabulary.categories)) {
      for (const field of ['terms', 'acronyms', 'exclude'] as const) {
        const caseRule = field === 'acronyms' ? 'capitals-exact' : 'any-case';
        words[field].forEach((pattern, index) => {
          const problem = patternProblem(pattern, caseRule, vocabulary.lists);
          if (problem === undefined) return;
          context.addIssue({ code: 'custom', message: problem, path: ['categories', key, field, index] });
        });
      }
    }
  });

function patternProblem(pattern: string, caseRule: CaseRule, lists: SensitiveVocabulary['lists']): string | undefined {
  try {
    compilePattern(pattern, caseRule, lists);
    return undefined;
  } catch (error) {
    if (error instanceof SensitiveVocabularyError) return error.message;
    throw error;
  }
}

export const sensitiveDetector: DetectorDefinition = {
  name: DETECTOR,
  categories: SENSITIVE_CATEGORIES,
  build: async (vocabulary) => createSensitiveDetector(await vocabulary('sensitive.yaml', sensitiveVocabularySchema)),
};
