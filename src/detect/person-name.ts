/**
 * Probable full names of people who are on neither roster: parents, siblings, children of other
 * schools, other professionals. Policy asks for initials for people in general, not only pupils
 * ("Initials should be used wherever possible", St Mary's Chiswick AUP §4), so these are medium.
 *
 * How a name is recognised. compromise's tagger is too slow to run over whole messages (about
 * 0.5 ms for a short sentence, 20–40 ms per KB on a 2-core machine) and misses many names British
 * schools see (it knows Sarah, not Kwame or Oluwaseun), so the text is read in one pass with the
 * roster's tokenizer, and compromise serves twice:
 *  - its lexicon says which words are first names, surnames, places and organisations; the
 *    school's own rosters add every forename and surname they hold;
 *  - `nlp(window).people()` confirms the doubtful candidates only — those whose surname is also
 *    an ordinary English word ("Sarah Brown", "Grace Hall") — on a short window of their line,
 *    for at most MAX_CONFIRMATIONS distinct names per message (a repeated name is asked about
 *    once). Further doubtful names are not reported.
 * A candidate is two to three capitalised words on one line: a known forename followed by words
 * that are not ordinary English words (unless known as surnames), or any capitalised words after
 * a title (Mr, Mrs, Dr …), or an unknown capitalised forename before a known surname, or unknown
 * words next to a word that says who the person is ("her mother, Tendai Moyo", "… (mum)").
 *
 * Never reported: pupils' and staff names (the roster matchers own those), the school's own
 * names, places and organisations ("Charlotte Street", "Sarah Jones Academy"), single words, and
 * the names of the message's own correspondents (writing "Dear Ann Lee" to Ann Lee discloses nothing).
 */
import nlp from 'compromise';
import type { MessageView, TextLocation } from '../message/message-view.js';
import { defaultCommonWords } from '../roster/common-words.js';
import { nameKeys, tokenizeNames, type NameToken } from '../roster/name-tokens.js';
import type { SchoolDirectory } from '../roster/roster.js';
import type { Detector, DetectorDefinition } from './detector.js';
import type { Finding } from './finding.js';
import { defaultSeverity } from './categories.js';

export interface PersonNameOptions {
  /** The school's own names, e.g. "St Mary's CE Primary School"; never reported as people. */
  readonly schoolNames?: readonly string[];
  /** Ordinary English words (`rules/vocabulary/common-words.yaml` by default). */
  readonly commonWords?: ReadonlySet<string>;
}

/**
 * Distinct doubtful names compromise is asked about per message. It takes 0.5–1.5 ms for a
 * window of 30–70 characters (warm, idle 2-core machine; twice that under load), so this bounds
 * its share of a scan to about 3 ms.
 */
export const MAX_CONFIRMATIONS = 2;
/** Characters of the candidate's line on each side that compromise sees: enough for "Mrs" or "called". */
const WINDOW_MARGIN = 16;
const MAX_NAME_WORDS = 3;

const TITLES: ReadonlySet<string> = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'professor', 'sir', 'dame', 'lady', 'lord', 'rev', 'revd', 'father', 'sister']);
/** Heads of British school and address names that compromise's lists lack. */
const PLACE_HEADS = [
  'primary',
  'infant',
  'infants',
  'junior',
  'juniors',
  'nursery',
  'trust',
  'close',
  'drive',
  'square',
  'station',
  'court',
  'surgery',
  'practice',
  'ward',
  'house',
  'hall',
  'road',
  'street',
];

interface Vocabulary {
  readonly commonWords: ReadonlySet<string>;
  readonly firstNames: ReadonlySet<string>;
  readonly lastNames: ReadonlySet<string>;
  /** Words compromise tags as places or organisations, and heads of place and organisation names. */
  readonly placeWords: ReadonlySet<string>;
  readonly placeHeads: ReadonlySet<string>;
  /** Places of several words in compromise's lexicon ("sierra leone", "san marino"), words joined by a space. */
  readonly placeNames: ReadonlySet<string>;
}

interface Candidate {
  readonly first: number;
  readonly last: number;
  readonly start: number;
  readonly end: number;
  readonly doubtful: boolean;
}

export function createPersonNameDetector(options: PersonNameOptions): Detector {
  const vocabulary = compromiseVocabulary(options.commonWords ?? defaultCommonWords());
  const schoolNames = (options.schoolNames ?? []).map(nameKeys).filter((keys) => keys.length > 0);
  // compromise unpacks its lexicon on first use (~100 ms); pay that at start, not on a message.
  nlp('Warm up with Ann Lee.').people();
  return function detectPersonNames(view, context) {
    const names = rosterNames(context.directory);
    const correspondents = correspondentNames(view);
    // A name repeated in a message is asked about once.
    const verdicts = new Map<string, boolean>();
    const confirm = (text: string, tokens: readonly NameToken[], candidate: Candidate): boolean => {
      const name = tokens
        .slice(candidate.first, candidate.last + 1)
        .map(surnameKey)
        .join(' ');
      const known = verdicts.get(name);
      if (known !== undefined) return known;
      if (verdicts.size === MAX_CONFIRMATIONS) return false;
      const verdict = compromiseSeesPerson(text, candidate);
      verdicts.set(name, verdict);
      return verdict;
    };
    return view.pieces.flatMap((piece) => {
      const tokens = tokenizeNames(piece.text);
      const taken = [...context.directory.findPupilNames(piece.text), ...context.directory.findStaffNames(piece.text), ...schoolNameSpans(tokens, schoolNames)];
      return candidatesIn(piece.text, tokens, vocabulary, names)
        .filter((candidate) => !taken.some((span) => span.start < candidate.end && candidate.start < span.end))
        .filter((candidate) => !namesCorrespondent(tokens, candidate, correspondents))
        .filter((candidate) => !candidate.doubtful || confirm(piece.text, tokens, candidate))
        .map((candidate) => toFinding(piece.text, tokens, candidate, piece.location));
    });
  };
}

const EXPLANATION = "This looks like a person's full name, and they are not on the school's pupil or staff lists. " + 'If the email is about a child or a family, use initials.';

function toFinding(text: string, tokens: readonly NameToken[], candidate: Candidate, location: TextLocation): Finding {
  const initials = [tokens[candidate.first], tokens[candidate.last]].map((token) => `${String.fromCodePoint(text.codePointAt(token?.start ?? 0) ?? 0).toUpperCase()}.`).join('');
  return {
    detector: 'person-name',
    category: 'person-name',
    severity: defaultSeverity('person-name'),
    location,
    match: text.slice(candidate.start, candidate.end),
    span: { start: candidate.start, end: candidate.end },
    explanation: EXPLANATION,
    suggestion: `use initials: ${initials}`,
  };
}

/** Candidates in one pass over the tokens; a word belongs to at most one candidate. */
function candidatesIn(text: string, tokens: readonly NameToken[], vocabulary: Vocabulary, names: RosterNames): Candidate[] {
  const found: Candidate[] = [];
  for (let at = 0; at < tokens.length; at += 1) {
    const titled = isTitle(text, tokens, at);
    const first = titled ? at + 1 : at;
    const candidate = candidateFrom(text, tokens, first, titled, vocabulary, names);
    if (candidate === undefined) continue;
    found.push(candidate);
    at = candidate.last;
  }
  return found;
}

/** A title before a word on the same line: "Mrs Ade", "Mr. Ade". */
function isTitle(text: string, tokens: readonly NameToken[], at: number): boolean {
  const token = tokens[at];
  const next = tokens[at + 1];
  if (token === undefined || next === undefined || token.shape === 'lower' || !TITLES.has(token.key)) return false;
  return TITLE_GAP.test(text.slice(token.end, next.start));
}

const TITLE_GAP = /^\.?[ \t\u00a0]+$/;

function candidateFrom(text: string, tokens: readonly NameToken[], first: number, titled: boolean, vocabulary: Vocabulary, names: RosterNames): Candidate | undefined {
  const forename = tokens[first];
  if (forename === undefined || forename.shape === 'lower' || isInitial(forename)) return undefined;
  const knownForename = vocabulary.firstNames.has(forename.key) || names.forenames.has(forename.key);
  const isSurname = (key: string): boolean => vocabulary.lastNames.has(key) || names.surnames.has(key);
  let last = first;
  while (last - first + 1 < MAX_NAME_WORDS) {
    const next = tokens[last + 1];
    if (next === undefined || next.shape === 'lower' || (next.gap !== 'space' && next.gap !== 'hyphen')) break;
    const key = surnameKey(next);
    if (vocabulary.commonWords.has(key) && !isSurname(key)) break;
    last += 1;
  }
  // "Sarah Q." is what policy asks for: initials are not names.
  while (last > first && isInitial(tokens[last])) last -= 1;
  if (last === first) return undefined;
  const surname = tokens[last];
  if (surname === undefined) return undefined;
  const surnameWord = surnameKey(surname);
  const end = surname.possessive?.end ?? surname.end;
  const evidence = titled || knownForename || (!vocabulary.commonWords.has(forename.key) && (isSurname(surnameWord) || saysWhoTheyAre(text, forename.start, end)));
  if (!evidence) return undefined;
  const place =
    placeFollows(tokens[last + 1], vocabulary) ||
    (vocabulary.placeHeads.has(surnameWord) && !isSurname(surnameWord)) ||
    (vocabulary.placeWords.has(forename.key) && !knownForename) ||
    (vocabulary.placeWords.has(surnameWord) && !isSurname(surnameWord)) ||
    vocabulary.placeNames.has(
      tokens
        .slice(first, last + 1)
        .map((token) => token.key)
        .join(' '),
    );
  if (place) return undefined;
  return {
    first,
    last,
    start: forename.start,
    end,
    doubtful: !titled && vocabulary.commonWords.has(surnameWord),
  };
}

/**
 * Who a person is to a child or to the case, as safeguarding and pastoral mail names them: a
 * relative, a carer, a professional. Lists of first names and surnames cannot know every name a
 * family brings (Tendai Moyo, Lerato Dlamini); the words around it say it is a person.
 */
const ROLE =
  '(?:mum|mummy|mother|dad|daddy|father|step-?(?:mum|mother|dad|father|brother|sister|son|daughter)|half-?(?:brother|sister)|' +
  'brother|sister|son|daughter|partner|ex-?partner|boyfriend|girlfriend|husband|wife|uncle|aunt|auntie|aunty|nan|nana|nanna|gran|granny|' +
  'grandma|grandmother|grandad|granddad|grandfather|grandparent|cousin|carer|guardian|childminder|neighbour|lodger|friend|' +
  'social worker|key worker|support worker|health visitor|nurse|officer|pc|dc|ds|pcso|sergeant|detective|solicitor|caseworker|' +
  'therapist|counsellor|paediatrician|victim|perpetrator|suspect)';
/** "her mum's new partner, Dariusz Kowalczyk", "a man called …", "PC Lerato Dlamini". */
const ROLE_BEFORE = new RegExp(`(?:(?<![\\p{L}])${ROLE}(?:['’]s)?[ \\t]*[,:]?|\\b(?:called|named|known as))[ \\t]+(?:(?:is|was)[ \\t]+)?$`, 'iu');
/** "Tendai Moyo (mother)", "Tendai Moyo, Rose's mother,". An age alone is not enough: "Lego Robotics (aged 8 and over)" is a club. */
const ROLE_AFTER = new RegExp(`^[ \\t]*(?:\\(|,|-)[ \\t]*(?:(?:her|his|their|the|[\\p{L}'’-]+['’]s?)[ \\t]+)?${ROLE}(?![\\p{L}])`, 'iu');
const ROLE_REACH = 40;

function saysWhoTheyAre(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const before = text.slice(Math.max(lineStart, start - ROLE_REACH), start);
  return ROLE_BEFORE.test(before) || ROLE_AFTER.test(text.slice(end, end + ROLE_REACH));
}

function isInitial(token: NameToken | undefined): boolean {
  return token !== undefined && token.end - token.start === 1;
}

function surnameKey(token: NameToken): string {
  return token.possessive?.key ?? token.key;
}

/** "Sarah Jones Academy", "Tom Baker House": a name followed by the head of a place or organisation name. */
function placeFollows(after: NameToken | undefined, vocabulary: Vocabulary): boolean {
  return after !== undefined && after.gap === 'space' && after.shape !== 'lower' && vocabulary.placeHeads.has(after.key);
}

function compromiseSeesPerson(text: string, candidate: Candidate): boolean {
  const lineStart = text.lastIndexOf('\n', candidate.start - 1) + 1;
  const lineEnd = text.indexOf('\n', candidate.end);
  const from = wordBoundary(text, Math.max(lineStart, candidate.start - WINDOW_MARGIN), 1, candidate.start);
  const to = wordBoundary(text, Math.min(lineEnd < 0 ? text.length : lineEnd, candidate.end + WINDOW_MARGIN), -1, candidate.end);
  const people: unknown = nlp(text.slice(from, to)).people().json({ offset: true });
  if (!Array.isArray(people)) return false;
  return people.some((person: unknown) => {
    const span = offsetOf(person);
    return span !== undefined && from + span.start <= candidate.start && from + span.start + span.length >= candidate.end;
  });
}

/** Moves `at` towards `limit` until it no longer cuts a word, so compromise sees whole words. */
function wordBoundary(text: string, at: number, step: 1 | -1, limit: number): number {
  let boundary = at;
  const inside = (): boolean => /\S/.test(text.charAt(boundary - 1)) && /\S/.test(text.charAt(boundary));
  while (boundary !== limit && inside()) boundary += step;
  return boundary;
}

function offsetOf(person: unknown): { start: number; length: number } | undefined {
  if (typeof person !== 'object' || person === null || !('offset' in person)) return undefined;
  const { offset } = person;
  if (typeof offset !== 'object' || offset === null || !('start' in offset) || !('length' in offset)) return undefined;
  const { start, length } = offset;
  return typeof start === 'number' && typeof length === 'number' ? { start, length } : undefined;
}

interface RosterNames {
  readonly forenames: ReadonlySet<string>;
  readonly surnames: ReadonlySet<string>;
}

const rosterNamesByDirectory = new WeakMap<SchoolDirectory, RosterNames>();

/** Every forename and surname word on the rosters: a school's parents share its pupils' surnames. */
function rosterNames(directory: SchoolDirectory): RosterNames {
  const cached = rosterNamesByDirectory.get(directory);
  if (cached !== undefined) return cached;
  const forenames = new Set<string>();
  const surnames = new Set<string>();
  for (const person of [...directory.pupils.values(), ...directory.staff.values()]) {
    for (const name of [person.legalForename, person.preferredForename]) {
      const key = name === undefined ? undefined : nameKeys(name)[0];
      if (key !== undefined) forenames.add(key);
    }
    for (const name of [person.legalSurname, person.preferredSurname]) {
      for (const key of name === undefined ? [] : nameKeys(name)) surnames.add(key);
    }
  }
  const names = { forenames, surnames };
  rosterNamesByDirectory.set(directory, names);
  return names;
}

/** Folded words of each correspondent's display name. */
function correspondentNames(view: MessageView): ReadonlySet<string>[] {
  return [view.from, ...view.to, ...view.cc, ...view.bcc].map((address) => new Set(nameKeys(address?.displayName.replace(/[,()"]/g, ' ') ?? ''))).filter((keys) => keys.size > 0);
}

function namesCorrespondent(tokens: readonly NameToken[], candidate: Candidate, correspondents: readonly ReadonlySet<string>[]): boolean {
  const words = tokens.slice(candidate.first, candidate.last + 1).map(surnameKey);
  return correspondents.some((name) => words.every((word) => name.has(word)));
}

/** Where the school's own names are written, word by word, whatever the punctuation. */
function schoolNameSpans(tokens: readonly NameToken[], schoolNames: readonly (readonly string[])[]): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  for (let at = 0; at < tokens.length; at += 1) {
    for (const words of schoolNames) {
      const matches = words.every((word, offset) => {
        const token = tokens[at + offset];
        return token !== undefined && (token.key === word || surnameKey(token) === word);
      });
      const last = tokens[at + words.length - 1];
      if (matches && last !== undefined) spans.push({ start: tokens[at]?.start ?? 0, end: last.end });
    }
  }
  return spans;
}

const FIRST_NAME_TAGS = new Set(['FirstName', 'MaleName', 'FemaleName']);
const PLACE_TAGS = new Set(['Place', 'City', 'Country', 'Region', 'Organization', 'SportsTeam']);

/** compromise's lexicon as sets of single folded words. */
function compromiseVocabulary(commonWords: ReadonlySet<string>): Vocabulary {
  const model: unknown = nlp.model();
  const firstNames = new Set<string>();
  const lastNames = new Set<string>();
  const placeWords = new Set<string>();
  const placeNames = new Set<string>();
  for (const [word, tags] of Object.entries(record(model, 'one', 'lexicon'))) {
    const tagList: string[] = (typeof tags === 'string' ? [tags] : Array.isArray(tags) ? tags : []).filter((tag): tag is string => typeof tag === 'string');
    if (word.includes(' ')) {
      if (tagList.some((tag) => PLACE_TAGS.has(tag))) placeNames.add(word);
      continue;
    }
    for (const tag of tagList) {
      if (FIRST_NAME_TAGS.has(tag)) firstNames.add(word);
      if (tag === 'LastName') lastNames.add(word);
      if (PLACE_TAGS.has(tag)) placeWords.add(word);
    }
  }
  const placeHeads = new Set([...Object.keys(record(model, 'two', 'orgWords')), ...Object.keys(record(model, 'two', 'placeWords')), ...PLACE_HEADS]);
  return { commonWords, firstNames, lastNames, placeWords, placeHeads, placeNames };
}

/** `model[stage][table]` as a plain record, or empty where compromise's internals differ. */
function record(model: unknown, stage: string, table: string): Readonly<Record<string, unknown>> {
  const stageTables: unknown = typeof model === 'object' && model !== null ? Reflect.get(model, stage) : undefined;
  const found: unknown = typeof stageTables === 'object' && stageTables !== null ? Reflect.get(stageTables, table) : undefined;
  return typeof found === 'object' && found !== null ? Object.fromEntries(Object.entries(found)) : {};
}

export const personNameDetector: DetectorDefinition = {
  name: 'person-name',
  categories: ['person-name'],
  build: (_vocabulary, settings) => createPersonNameDetector({ schoolNames: settings.schoolNames ?? [] }),
};
