/**
 * Finds people's full names in text in time independent of how many people there are.
 *
 * Every way a person's full name may be written is indexed once, at build time, under its first
 * two folded words ("kwame mensah", "mensah kwame"). A text is tokenised once; at each word the
 * index is asked for that word and the next, and only the few entries found are checked against
 * the words that follow. Nothing loops over the roster per message.
 *
 * Written forms: forename (legal or preferred) + surname (legal or preferred), with optionally
 * the middle names, one of them, or the first one's initial between ("Kwame J. Mensah"); and
 * surname first, with or without a comma ("Mensah, Kwame", "MENSAH Kwame John"). Hyphens and
 * spaces are interchangeable inside names; apostrophes and diacritics are folded away; a final
 * 's or ’s (and the s' of "Jones' coat") is allowed and left out of the match. Initials never
 * match ("K.M.", "Kwame M."): only a middle name may be written as one. See README.md.
 *
 * The ordinary-word rule. Some names are also common English words (Will, Grace, Hope, Brown,
 * Young …, listed in `rules/vocabulary/common-words.yaml`). Writers capitalise names and not
 * words, so:
 *  1. a name word that is an ordinary word counts only when written with a capital (Title case
 *     or ALL CAPS): "we will brown the onions" and "I hope young people…" are never names;
 *  2. when every word of the match is an ordinary word, capitals must also be evidence of a
 *     name rather than of a sentence start, a heading or shouting. One of these must hold:
 *     - surname first with a comma: "Brown, Will", "YOUNG, Hope";
 *     - the surname in capitals and the forename not: "BROWN Will", "Will BROWN";
 *     - forename first with the surname in Title case, and the next word on the line not a
 *       capitalised ordinary word (that would be a Title Case heading: "Will Brown Bread");
 *       so "Will Brown visited" and "Hope Young's report" match, and so does the sentence
 *       "Hope Young cooks": a capital on "Young" mid-sentence is read as a name;
 *     - the whole name in capitals while the words around it on the line are not.
 * Name particles (van, der, de, bin, al …) are exempt from both rules: "Pieter van der Berg".
 */
import type { MatchVariant, NamedPerson, NameMatch } from './roster.js';
import { nameKeys, type NameToken } from './name-tokens.js';
import { isOneLetterSlip, type ShortForms } from './name-variants.js';

export interface NameIndex {
  /** Full names in the tokens of `text`; overlapping matches resolved, identical spans kept per person. */
  find(text: string, tokens: readonly NameToken[]): NameMatch[];
}

/** Lower-case words that belong to a surname and are written lower case: "van der Berg", "bin Rashid". */
const NAME_PARTICLES: ReadonlySet<string> = new Set([
  'van',
  'von',
  'der',
  'den',
  'de',
  'del',
  'della',
  'da',
  'das',
  'dos',
  'do',
  'di',
  'du',
  'la',
  'le',
  'ter',
  'ten',
  'bin',
  'binti',
  'bint',
  'ibn',
  'al',
  'el',
  'ap',
  'mac',
  'o',
]);

type NameOrder = 'forename-first' | 'surname-first';

/** One written form of one person's name. */
interface NameForm {
  readonly personId: string;
  readonly order: NameOrder;
  /** Folded words after the first two, space-separated ('' for two-word names): one string, not an array, per form. */
  readonly rest: string;
  readonly wordCount: number;
  readonly forenameLength: number;
  readonly middleLength: number;
  readonly surnameLength: number;
}

interface Candidate {
  readonly form: NameForm;
  readonly first: number;
  readonly last: number;
  readonly start: number;
  readonly end: number;
  /** How a name not written as the roster has it was read; undefined for a written form. */
  readonly variant?: MatchVariant;
  /** For a variant, the tokens of its forename and surname (it has one of each). */
  readonly forenameAt?: number;
  readonly surnameAt?: number;
}

/**
 * What the index needs to read names written otherwise than the roster has them (see
 * `name-variants.ts`). Without it only written forms match, as for staff.
 */
export interface NameVariantData {
  readonly shortForms: ShortForms;
  readonly dictionary: ReadonlySet<string>;
  /** Every folded word of every pupil's and staff member's name: a "slip" that is one of them is that name. */
  readonly nameWords: ReadonlySet<string>;
}

/** Most first-two-word keys belong to one form; only shared names need an array. */
type Bucket = NameForm | NameForm[];

export function buildNameIndex(people: readonly NamedPerson[], commonWords: ReadonlySet<string>, variantData?: NameVariantData): NameIndex {
  const index = new Map<string, Bucket>();
  const firstWords = new Set<string>();
  for (const person of people) {
    forEachForm(person, (first, second, form) => {
      firstWords.add(first);
      const key = `${first} ${second}`;
      const bucket = index.get(key);
      if (bucket === undefined) index.set(key, form);
      else if (Array.isArray(bucket)) bucket.push(form);
      else index.set(key, [bucket, form]);
    });
  }
  const rules = new WrittenFormRules(commonWords);
  const variants = variantData === undefined ? undefined : new VariantReader(index, firstWords, rules, commonWords, variantData);
  return {
    find(text, tokens) {
      const candidates: Candidate[] = [];
      for (let first = 0; first + 1 < tokens.length; first += 1) {
        // Most words start no name: one set look-up, no key built.
        if (firstWords.has(tokens[first]?.key ?? '')) collectAt(index, tokens, first, rules, candidates);
        variants?.collectAt(tokens, first, candidates);
      }
      return resolveOverlaps(candidates).map((candidate) => toMatch(text, tokens, candidate));
    },
  };
}

/**
 * Every written form of a person, with its first two folded words. Forenames, surnames and
 * middle-name variants are each distinct, so forms do not repeat.
 */
function forEachForm(person: NamedPerson, visit: (first: string, second: string, form: NameForm) => void): void {
  const forenames = distinctKeys([person.legalForename, person.preferredForename]);
  const surnames = distinctKeys([person.legalSurname, person.preferredSurname]);
  const middles = middleVariants(person.middleNames);
  const add = (order: NameOrder, forename: string[], middle: string[], surname: string[]): void => {
    const words = order === 'forename-first' ? [...forename, ...middle, ...surname] : [...surname, ...forename, ...middle];
    const [first, second] = words;
    if (first === undefined || second === undefined) return;
    visit(first, second, {
      personId: person.id,
      order,
      rest: words.slice(2).join(' '),
      wordCount: words.length,
      forenameLength: forename.length,
      middleLength: middle.length,
      surnameLength: surname.length,
    });
  };
  for (const forename of forenames) {
    for (const surname of surnames) {
      for (const middle of middles) {
        add('forename-first', forename, middle, surname);
        add('surname-first', forename, middle, surname);
      }
    }
  }
}

function distinctKeys(names: readonly (string | undefined)[]): string[][] {
  const seen = new Map<string, string[]>();
  for (const name of names) {
    if (name === undefined) continue;
    const keys = nameKeys(name);
    if (keys.length > 0) seen.set(keys.join(' '), keys);
  }
  return [...seen.values()];
}

/**
 * Middle names as people write them: none, all, any one, or the first one's initial.
 * Not every subset: the forms per person stay few, so a 100,000-pupil index stays small.
 */
function middleVariants(middleNames: readonly string[]): string[][] {
  const each = middleNames.map(nameKeys).filter((keys) => keys.length > 0);
  const variants = new Map<string, string[]>([['', []]]);
  const add = (keys: string[]): void => {
    variants.set(keys.join(' '), keys);
  };
  if (each.length > 0) add(each.flat());
  each.forEach(add);
  const initial = each[0]?.[0]?.charAt(0);
  if (initial !== undefined) add([initial]);
  return [...variants.values()];
}

/** Looks up the word at `first` with the next one, and keeps the forms that really continue there. */
function collectAt(index: ReadonlyMap<string, Bucket>, tokens: readonly NameToken[], first: number, rules: WrittenFormRules, out: Candidate[]): void {
  const head = tokens[first];
  const second = tokens[first + 1];
  // A name does not start inside a hyphenated word, nor run across punctuation.
  if (head === undefined || second === undefined || head.gap === 'hyphen' || !joinsName(second.gap)) return;
  const secondKeys = second.possessive === undefined ? [second.key] : [second.key, second.possessive.key];
  for (const secondKey of secondKeys) {
    const bucket = index.get(`${head.key} ${secondKey}`);
    for (const form of bucket === undefined ? [] : Array.isArray(bucket) ? bucket : [bucket]) {
      const match = matchForm(form, tokens, first, secondKey);
      if (match !== undefined && rules.accepts(form, match.words, tokens, first)) {
        out.push({ form, first, last: first + form.wordCount - 1, start: head.start, end: match.end });
      }
    }
  }
}

function joinsName(gap: NameToken['gap']): boolean {
  return gap === 'space' || gap === 'line-break' || gap === 'hyphen' || gap === 'comma';
}

interface FormMatch {
  /** The folded words as matched (the last without its possessive). */
  readonly words: readonly string[];
  readonly end: number;
}

/**
 * Whether `form` continues from the token at `first`, and where it ends in the text. The first
 * two words were found through the index (`secondKey` is the next token's key, or its key
 * without a possessive); the rest are checked here.
 */
function matchForm(form: NameForm, tokens: readonly NameToken[], first: number, secondKey: string): FormMatch | undefined {
  const lastAt = form.wordCount - 1;
  const expected = [secondKey, ...(form.rest === '' ? [] : form.rest.split(' '))];
  const words: string[] = [tokens[first]?.key ?? ''];
  let end = 0;
  for (let at = 1; at <= lastAt; at += 1) {
    const token = tokens[first + at];
    if (token === undefined) return undefined;
    const commaAllowed = form.order === 'surname-first' && at === form.surnameLength;
    if (!joinsName(token.gap) || (token.gap === 'comma' && !commaAllowed)) return undefined;
    const wanted = expected[at - 1];
    if (token.key === wanted) {
      words.push(token.key);
      end = token.end;
    } else if (at === lastAt && token.possessive !== undefined && token.possessive.key === wanted) {
      words.push(token.possessive.key);
      end = token.possessive.end;
    } else return undefined;
  }
  const after = tokens[first + form.wordCount];
  const endsInsideWord = after !== undefined && after.gap === 'hyphen' && end === tokens[first + lastAt]?.end;
  return endsInsideWord ? undefined : { words, end };
}

/** The ordinary-word rule of this module's header comment. */
class WrittenFormRules {
  constructor(private readonly commonWords: ReadonlySet<string>) {}

  accepts(form: NameForm, words: readonly string[], tokens: readonly NameToken[], first: number): boolean {
    let everyWordOrdinary = true;
    for (let at = 0; at < words.length; at += 1) {
      const word = words[at] ?? '';
      if (NAME_PARTICLES.has(word)) continue;
      if (!this.commonWords.has(word)) everyWordOrdinary = false;
      else if (tokens[first + at]?.shape === 'lower') return false;
    }
    return !everyWordOrdinary || this.capitalsMeanName(form, words, tokens, first);
  }

  private capitalsMeanName(form: NameForm, words: readonly string[], tokens: readonly NameToken[], first: number): boolean {
    const last = first + words.length - 1;
    const { forename, surname } = nameParts(form, words, tokens, first);
    const surnameUpper = surname.every((token) => token.shape === 'upper');
    if (form.order === 'surname-first' && tokens[first + form.surnameLength]?.gap === 'comma') return true;
    if (surnameUpper && forename.some((token) => token.shape !== 'upper')) return true;
    if (form.order === 'forename-first' && !surnameUpper && !this.titleCaseContinues(tokens[last + 1])) return true;
    const everyUpper = surnameUpper && forename.every((token) => token.shape === 'upper');
    return everyUpper && !upperNeighbour(tokens[first - 1], tokens[first]) && !upperNeighbour(tokens[last + 1], tokens[last + 1]);
  }

  /** A capitalised ordinary word right after the name on its line: a Title Case heading. */
  private titleCaseContinues(next: NameToken | undefined): boolean {
    return next !== undefined && next.gap === 'space' && next.shape !== 'lower' && this.commonWords.has(next.key);
  }
}

/** A word in capitals joined to the name by a space: the capitals are the text's, not the name's. */
function upperNeighbour(neighbour: NameToken | undefined, joinedBy: NameToken | undefined): boolean {
  return neighbour !== undefined && joinedBy?.gap === 'space' && neighbour.shape === 'upper';
}

interface NameParts {
  readonly forename: readonly NameToken[];
  readonly surname: readonly NameToken[];
}

/** The forename's and surname's tokens of a match, without particles. */
function nameParts(form: NameForm, words: readonly string[], tokens: readonly NameToken[], first: number): NameParts {
  const surnameAt = form.order === 'surname-first' ? first : first + form.forenameLength + form.middleLength;
  const forenameAt = form.order === 'surname-first' ? first + form.surnameLength : first;
  const pick = (from: number, length: number): NameToken[] => tokens.slice(from, from + length).filter((_token, at) => !NAME_PARTICLES.has(words[from - first + at] ?? ''));
  return { forename: pick(forenameAt, form.forenameLength), surname: pick(surnameAt, form.surnameLength) };
}

/**
 * One reading per stretch of text. Natural order wins over surname-first ("Will Brown, Hope
 * Young" is two names, not "Brown, Hope"), then the longer match ("Mary Jane Smith" over "Jane
 * Smith"). Two people with the same name match the same span and are both kept.
 */
function resolveOverlaps(candidates: readonly Candidate[]): Candidate[] {
  const ranked = [...candidates].sort(
    (a, b) =>
      Number(a.form.order === 'surname-first') - Number(b.form.order === 'surname-first') ||
      Number(a.variant !== undefined) - Number(b.variant !== undefined) ||
      b.end - b.start - (a.end - a.start) ||
      a.start - b.start,
  );
  const kept: Candidate[] = [];
  // Which kept match holds each word: overlap checks cost the words of a match, not the matches so far.
  const holder = new Map<number, Candidate>();
  const seen = new Set<string>();
  // A name written as the roster has it is that pupil; nobody else is read from the same words.
  const writtenSpans = new Set<string>();
  for (const candidate of ranked) {
    let clash = false;
    for (let at = candidate.first; at <= candidate.last && !clash; at += 1) {
      const other = holder.get(at);
      clash = other !== undefined && (other.start !== candidate.start || other.end !== candidate.end);
    }
    const identity = `${candidate.form.personId}\u0000${candidate.start}\u0000${candidate.end}`;
    const span = `${candidate.start}\u0000${candidate.end}`;
    if (clash || seen.has(identity) || (candidate.variant !== undefined && writtenSpans.has(span))) continue;
    seen.add(identity);
    if (candidate.variant === undefined) writtenSpans.add(span);
    kept.push(candidate);
    for (let at = candidate.first; at <= candidate.last; at += 1) holder.set(at, candidate);
  }
  return kept.sort((a, b) => a.start - b.start);
}

function toMatch(text: string, tokens: readonly NameToken[], candidate: Candidate): NameMatch {
  const words = tokens.slice(candidate.first, candidate.last + 1).map((token) => token.key);
  const { forename, surname } =
    candidate.forenameAt === undefined || candidate.surnameAt === undefined
      ? nameParts(candidate.form, words, tokens, candidate.first)
      : { forename: [tokens[candidate.forenameAt]], surname: [tokens[candidate.surnameAt]] };
  return {
    personId: candidate.form.personId,
    start: candidate.start,
    end: candidate.end,
    text: text.slice(candidate.start, candidate.end),
    initials: [forename[0], surname[0]].map((token) => `${initialAt(text, token)}.`).join(''),
    ...(candidate.variant === undefined ? {} : { variant: candidate.variant }),
  };
}

function initialAt(text: string, token: NameToken | undefined): string {
  if (token === undefined) return '';
  return String.fromCodePoint(text.codePointAt(token.start) ?? 0).toUpperCase();
}

/** The shortest roster forename or surname a one-letter slip is looked for in: shorter ones are too alike. */
const MIN_SLIPPED_NAME_LENGTH = 6;

/** A two-word form, under one of its words, with the other word a slip may be of. */
interface SlipEntry {
  readonly form: NameForm;
  readonly other: string;
}

/**
 * Names written otherwise than the roster has them, each a forename and a surname of one word:
 *  - a short form of the pupil's forename with the pupil's surname, in either order ("Tom
 *    Fairclough", "FAIRCLOUGH, Tom"), the short form capitalised;
 *  - forename, any one-letter initial, surname ("Daniel T. Ogunleye"), when the roster gives no
 *    middle name with that initial;
 *  - one part exact and the other with one letter slipped ("Will Fairclogh", "Wiliam
 *    Fairclough"): both capitalised, the roster's word at least six letters, and the written one
 *    no English word, no roster or staff name word and no ordinary word; a slipped forename is
 *    also no forename of the short-form data ("Jon" is not a slip of "Joan", "Tomas" of "Thomas").
 * Each is checked with the ordinary-word rule on the words as written, and a name written as the
 * roster has it always wins the same words (`resolveOverlaps`).
 */
class VariantReader {
  private readonly slipsByFirst = new Map<string, SlipEntry[]>();
  private readonly slipsBySecond = new Map<string, SlipEntry[]>();
  /** Every forename of the short-form data, full and short: "Jon" is not a slip of "Joan". */
  private readonly givenNames = new Set<string>();

  constructor(
    private readonly index: ReadonlyMap<string, Bucket>,
    private readonly firstWords: ReadonlySet<string>,
    private readonly rules: WrittenFormRules,
    private readonly commonWords: ReadonlySet<string>,
    private readonly data: NameVariantData,
  ) {
    for (const [short, fulls] of data.shortForms) {
      this.givenNames.add(short);
      for (const full of fulls) this.givenNames.add(full);
    }
    for (const [key, bucket] of index) {
      const [first = '', second = ''] = key.split(' ');
      for (const form of Array.isArray(bucket) ? bucket : [bucket]) {
        if (form.wordCount !== 2) continue;
        if (second.length >= MIN_SLIPPED_NAME_LENGTH) push(this.slipsByFirst, first, { form, other: second });
        if (first.length >= MIN_SLIPPED_NAME_LENGTH) push(this.slipsBySecond, second, { form, other: first });
      }
    }
  }

  collectAt(tokens: readonly NameToken[], at: number, out: Candidate[]): void {
    const head = tokens[at];
    const next = tokens[at + 1];
    if (head === undefined || next === undefined || head.gap === 'hyphen' || !joinsName(next.gap)) return;
    if (next.key.length === 1) this.withInitial(tokens, at, out);
    const shortOfHead = head.shape === 'lower' ? undefined : this.data.shortForms.get(head.key);
    if (shortOfHead !== undefined && next.gap !== 'comma' && next.gap !== 'hyphen') {
      for (const full of shortOfHead) this.addForms(`${full} ${next.key}`, 'forename-first', 'nickname', tokens, at, at + 1, out);
    }
    const shortOfNext = next.shape === 'lower' ? undefined : this.data.shortForms.get(next.key);
    if (shortOfNext !== undefined && next.gap !== 'hyphen') {
      for (const full of shortOfNext) this.addForms(`${head.key} ${full}`, 'surname-first', 'nickname', tokens, at, at + 1, out);
    }
    if (head.shape !== 'lower' && next.shape !== 'lower' && next.gap !== 'hyphen') this.slips(tokens, at, out);
  }

  /** "Daniel T. Ogunleye": the two-word forms of forename and surname, read across the initial. */
  private withInitial(tokens: readonly NameToken[], at: number, out: Candidate[]): void {
    const head = tokens[at];
    const initial = tokens[at + 1];
    const surname = tokens[at + 2];
    if (head === undefined || initial === undefined || surname === undefined) return;
    if (initial.shape === 'lower' || initial.gap !== 'space' || (surname.gap !== 'space' && surname.gap !== 'line-break')) return;
    if (!this.firstWords.has(head.key)) return;
    this.addForms(`${head.key} ${surname.key}`, 'forename-first', 'middle-initial', tokens, at, at + 2, out);
  }

  private slips(tokens: readonly NameToken[], at: number, out: Candidate[]): void {
    const head = tokens[at];
    const next = tokens[at + 1];
    if (head === undefined || next === undefined) return;
    const byFirst = this.slipsByFirst.get(head.key);
    if (byFirst !== undefined) {
      const endings: [string, number][] = [[next.key, next.end]];
      if (next.possessive !== undefined) endings.push([next.possessive.key, next.possessive.end]);
      for (const [written, end] of endings) {
        if (!this.maySlip(written)) continue;
        for (const { form, other } of byFirst) {
          if (form.order === 'surname-first' && this.givenNames.has(written)) continue;
          if (isOneLetterSlip(written, other)) this.addForm(form, 'slip', [head.key, written], tokens, at, at + 1, end, out);
        }
      }
    }
    const bySecond = this.slipsBySecond.get(next.key);
    if (bySecond !== undefined && this.maySlip(head.key)) {
      for (const { form, other } of bySecond) {
        if (form.order === 'forename-first' && this.givenNames.has(head.key)) continue;
        if (isOneLetterSlip(head.key, other)) this.addForm(form, 'slip', [head.key, next.key], tokens, at, at + 1, next.end, out);
      }
    }
  }

  /** A written word that could be a slip: not itself a word or a name anyone has. */
  private maySlip(written: string): boolean {
    return written.length >= MIN_SLIPPED_NAME_LENGTH - 1 && !this.data.nameWords.has(written) && !this.commonWords.has(written) && !this.data.dictionary.has(written);
  }

  /** The two-word forms under `key` in `order`, read from the tokens `at` (forename or surname) and `last`. */
  private addForms(key: string, order: NameOrder, variant: MatchVariant, tokens: readonly NameToken[], at: number, last: number, out: Candidate[]): void {
    const lastToken = tokens[last];
    if (lastToken === undefined) return;
    const endings: [string, string, number][] = [[key, lastToken.key, lastToken.end]];
    const possessive = lastToken.possessive;
    if (possessive !== undefined && order === 'forename-first') {
      endings.push([`${key.slice(0, key.lastIndexOf(' '))} ${possessive.key}`, possessive.key, possessive.end]);
    }
    for (const [lookup, lastKey, end] of endings) {
      const bucket = this.index.get(lookup);
      for (const form of bucket === undefined ? [] : Array.isArray(bucket) ? bucket : [bucket]) {
        if (form.order !== order || form.wordCount !== 2) continue;
        this.addForm(form, variant, [tokens[at]?.key ?? '', lastKey], tokens, at, last, end, out);
      }
    }
  }

  private addForm(form: NameForm, variant: MatchVariant, written: readonly string[], tokens: readonly NameToken[], at: number, last: number, end: number, out: Candidate[]): void {
    const head = tokens[at];
    const lastToken = tokens[last];
    if (head === undefined || lastToken === undefined) return;
    if (form.order === 'forename-first' && lastToken.gap === 'comma') return;
    const after = tokens[last + 1];
    if (after !== undefined && after.gap === 'hyphen' && end === lastToken.end) return;
    // The ordinary-word rule sees the two name words side by side, with the words around them.
    const before = tokens[at - 1];
    const window = [...(before === undefined ? [] : [before]), head, lastToken, ...(after === undefined ? [] : [after])];
    if (!this.rules.accepts(form, written, window, before === undefined ? 0 : 1)) return;
    const [forenameAt, surnameAt] = form.order === 'forename-first' ? [at, last] : [last, at];
    out.push({ form, first: at, last, start: head.start, end, variant, forenameAt, surnameAt });
  }
}

function push<Value>(map: Map<string, Value[]>, key: string, value: Value): void {
  const values = map.get(key);
  if (values === undefined) map.set(key, [value]);
  else values.push(value);
}
