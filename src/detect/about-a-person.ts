import nlp from 'compromise';
import type { MessageView } from '../message/message-view.js';
import type { SchoolDirectory } from '../roster/roster.js';
import type { Span } from './finding.js';

/**
 * Whether a special-category term is about someone. "Seizures in the grid", "depression in the
 * housing market" or an autism awareness training day describe a system, a market or an event;
 * "her seizures", "Zara has depression", "ZK's EHCP" describe a person. A term counts in a message
 * that names a pupil from the roster anywhere, or has initials in its subject ("Re: ZK"), as such
 * a message is about that pupil; elsewhere only when a particular person is named near it:
 * initials, a capitalised name (with
 * or without a title) doing something ("Zara has", "Mrs Khan's"), a singular personal
 * pronoun, a role with a definite or possessive word ("the pupil", "your son"), or a number of
 * children ("two pupils"). Generic people do not count: "a child", "every pupil", "he or she", as
 * policies and training write of no one in particular; nor does a term in a statement about a
 * population ("people with disabilities", "rates of HIV"), as reports and official forms write. Staff names and titled names alone are
 * not enough: every message is signed by one.
 */

/** How far either side of a term a person may be named. */
export const PERSON_REACH = 300;

/** "he or she", "his/her", "s/he": a policy's reader, not a person. */
const GENERIC_PRONOUNS = /\b(?:he|his|him|she|her|hers)\s*(?:\/|\bor\b)\s*(?:he|his|him|she|her|hers|them|their|they)\b|\bs\/he\b/gi;

/** "U.S.", "U.K.", "E.U.", "U.N.", "D.C.", a "P.O." box: places and bodies written with stops, not a person's initials. */
const PLACE_ABBREVIATIONS = /(?<![\p{L}.])(?:U\.\s?S|U\.\s?K|E\.\s?U|U\.\s?N|D\.\s?C|P\.\s?O)\.(?:\s?A\.)?/gu;

/**
 * A statement about a population rather than a person, just before the term: "people with
 * disabilities", "persons who are deaf", "rates of HIV", "the prevalence of diabetes". Public
 * health reports and official forms write this way; a note about a pupil does not.
 */
const POPULATION_BEFORE =
  /\b(?:people|persons|individuals|adults|patients|populations?|those|anyone|men|women)\s+(?:who\s+(?:are|have|were|had)|with|living\s+with|suffering\s+from)\s+(?:\S+\s+){0,3}$|\b(?:rates?|prevalence|incidence|risks?|numbers?|cases|deaths?|burden)\s+(?:of|from)\s+(?:\S+\s+){0,2}$/i;
const POPULATION_REACH = 60;

const PRONOUN = /\b(?:he|she|him|his|her|hers|himself|herself)\b/i;

const ROLE = new RegExp(
  String.raw`\b(?:the|this|that|my|your|our|his|her|their|whose)\s+(?:(?:young|little|older|younger|eldest|youngest|new)\s+)?` +
    String.raw`(?:pupil|child|student|learner|boy|girl|son|daughter|baby|toddler|brother|sister|sibling|twin|mum|mother|dad|father|parent|carer|grandparent|grandmother|grandfather|nan|grandad|aunt|uncle|step-?(?:mother|father|son|daughter)|foster carer|young person|colleague|member of staff|teacher|wife|husband|partner|family)\b` +
    String.raw`|\b(?:two|three|four|five|six|seven|eight|nine|ten|\d{1,3}|both|these|those)\s+(?:pupils|children|students|learners|boys|girls|siblings|brothers|sisters|twins)\b`,
  'i',
);

/**
 * "Z.K.", "Z. K.", or "ZK" doing something: what staff write for a pupil's name, as policy asks.
 * Not after an article: "the IRS will", "the US was" are bodies and places, never a person. Not an
 * author's initials in a list of references ("Gatti, D. D, Gallegati, M"): a surname and a comma
 * come before them.
 */
const INITIALS =
  /(?<![\p{L}.])(?<!\b(?:[Tt]he|[Aa]n?)\s+)(?<!\p{Lu}\p{Ll}+,\s?)[A-Z]\.\s?[A-Z]\.?(?![\p{L}])|(?<!\b(?:[Tt]he|[Aa]n?)\s+)\b[A-Z]{2,3}(?:'s|’s|\s+(?:has|is|was|had|needs|will|takes|gets|did|can|cannot|should|must|attends)\b)/u;

/** Words that begin sentences or head notices, never a person's name. */
const NOT_NAMES = new Set(
  (
    'A An The This That These Those It Its There Here What Which Who Whom Whose Where When Why How If ' +
    'Our Your Their My His Her We You They He She I Everyone Everybody Nobody Someone Anyone Each Every All Any Some ' +
    'School Training Staff Today Tomorrow Yesterday Please Also Further Following Year Class Term Week ' +
    'Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August ' +
    'September October November December Autism Asthma Epilepsy Diabetes Depression Anxiety Disability Health'
  ).split(' '),
);

/**
 * A capitalised word, maybe a surname after it on the same line, then a possessive or a verb a
 * person does. A heading on the line before ("Age⏎Health is …") is not a forename.
 */
const NAME_DOING =
  /\b([A-Z][a-z'’-]+)(?:[ \t]+[A-Z][a-z'’-]+)?(?:['’]s\b|[ \t]+(?:has|had|is|was|needs|needed|will|takes|took|uses|gets|got|did|does|can|cannot|can't|should|must|attends|attended|struggles|struggled|seems|became|felt|feels|told|said|disclosed|missed)\b)/gu;

/** A possessive that begins a title in capitals is a name of a thing: "Webmaster's Color Lab", "Tomalak's Realm Daily". */
const TITLE_AFTER = /^\s+[A-Z][a-z]+\s+[A-Z][a-z]+/;

/** Countries in compromise's lexicon: "Australia's response to HIV" is a country's, not a person's. */
let countries: ReadonlySet<string> | undefined;

function isCountry(word: string): boolean {
  countries ??= countriesInLexicon();
  return countries.has(word.toLowerCase());
}

function countriesInLexicon(): ReadonlySet<string> {
  const model = nlp.model() as { one?: { lexicon?: Record<string, unknown> } };
  const isCountryTag = (tags: unknown) => tags === 'Country' || (Array.isArray(tags) && tags.includes('Country'));
  return new Set(Object.entries(model.one?.lexicon ?? {}).flatMap(([name, tags]) => (isCountryTag(tags) ? [name] : [])));
}

function namesSomeoneDoing(window: string): boolean {
  for (const match of window.matchAll(NAME_DOING)) {
    const word = match[1] ?? '';
    if (NOT_NAMES.has(word) || isCountry(word)) continue;
    const possessive = /['’]s$/.test(match[0]);
    if (possessive && TITLE_AFTER.test(window.slice(match.index + match[0].length))) continue;
    return true;
  }
  return false;
}

/** True when the words just before the term make it a statement about a population. */
function aboutAPopulation(text: string, hit: Span): boolean {
  return POPULATION_BEFORE.test(text.slice(Math.max(0, hit.start - POPULATION_REACH), hit.start));
}

/** True when a particular person is named within `PERSON_REACH` characters of `hit` in `text`. */
export function personNear(text: string, hit: Span): boolean {
  if (aboutAPopulation(text, hit)) return false;
  const from = Math.max(0, hit.start - PERSON_REACH);
  const window = `${text.slice(from, hit.start)} ${text.slice(hit.end, hit.end + PERSON_REACH)}`;
  const specific = window.replace(GENERIC_PRONOUNS, ' ').replace(PLACE_ABBREVIATIONS, ' ');
  return PRONOUN.test(specific) || ROLE.test(specific) || INITIALS.test(specific) || namesSomeoneDoing(specific);
}

/** True when the message names a pupil of the roster anywhere, or has initials in its subject. */
export function namesAPupil(view: MessageView, directory: SchoolDirectory): boolean {
  return INITIALS.test(view.subject) || view.pieces.some((piece) => directory.findPupilNames(piece.text).length > 0);
}
