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
import type { NamedPerson, NameMatch } from './roster.js';
import { nameKeys, type NameToken } from './name-tokens.js';

export interface NameIndex {
  /** Full names in the tokens of `text`; overlapping matches resolved, identical spans kept per person. */
  find(text: string, tokens: readonly NameToken[]): NameMatch[];
}

/** Lower-case words that belong to a surname and are written lower case: "van der Berg", "bin Rashid". */
const NAME_PARTICLES: ReadonlySet<string> = new Set([
  'van', 'von', 'der', 'den', 'de', 'del', 'della', 'da', 'das', 'dos', 'do', 'di', 'du',
  'la', 'le', 'ter', 'ten', 'bin', 'binti', 'bint', 'ibn', 'al', 'el', 'ap', 'mac', 'o',
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
}

/** Most first-two-word keys belong to one form; only shared names need an array. */
type Bucket = NameForm | NameForm[];

export function buildNameIndex(people: readonly NamedPerson[], commonWords: ReadonlySet<string>): NameIndex {
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
  return {
    find(text, tokens) {
      const candidates: Candidate[] = [];
      for (let first = 0; first + 1 < tokens.length; first += 1) {
        // Most words start no name: one set look-up, no key built.
        if (firstWords.has(tokens[first]?.key ?? '')) collectAt(index, tokens, first, rules, candidates);
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
function collectAt(
  index: ReadonlyMap<string, Bucket>,
  tokens: readonly NameToken[],
  first: number,
  rules: WrittenFormRules,
  out: Candidate[],
): void {
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
  const pick = (from: number, length: number): NameToken[] =>
    tokens.slice(from, from + length).filter((_token, at) => !NAME_PARTICLES.has(words[from - first + at] ?? ''));
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
      b.end - b.start - (a.end - a.start) ||
      a.start - b.start,
  );
  const kept: Candidate[] = [];
  // Which kept match holds each word: overlap checks cost the words of a match, not the matches so far.
  const holder = new Map<number, Candidate>();
  const seen = new Set<string>();
  for (const candidate of ranked) {
    let clash = false;
    for (let at = candidate.first; at <= candidate.last && !clash; at += 1) {
      const other = holder.get(at);
      clash = other !== undefined && (other.start !== candidate.start || other.end !== candidate.end);
    }
    const identity = `${candidate.form.personId}\u0000${candidate.start}\u0000${candidate.end}`;
    if (clash || seen.has(identity)) continue;
    seen.add(identity);
    kept.push(candidate);
    for (let at = candidate.first; at <= candidate.last; at += 1) holder.set(at, candidate);
  }
  return kept.sort((a, b) => a.start - b.start);
}

function toMatch(text: string, tokens: readonly NameToken[], candidate: Candidate): NameMatch {
  const words = tokens.slice(candidate.first, candidate.last + 1).map((token) => token.key);
  const { forename, surname } = nameParts(candidate.form, words, tokens, candidate.first);
  return {
    personId: candidate.form.personId,
    start: candidate.start,
    end: candidate.end,
    text: text.slice(candidate.start, candidate.end),
    initials: [forename[0], surname[0]].map((token) => `${initialAt(text, token)}.`).join(''),
  };
}

function initialAt(text: string, token: NameToken | undefined): string {
  if (token === undefined) return '';
  return String.fromCodePoint(text.codePointAt(token.start) ?? 0).toUpperCase();
}
