import type { NameMatch, Pupil } from '../roster/roster.js';

/**
 * Where the words of a pupil's name are used for something else: a place, or an adult and a
 * child read together. The roster search matches the words; these rules read the words around them.
 *
 * - A place: the name followed by a capitalised place word ("Rose Hill Primary", "Grace Church of
 *   England", "Stanley Park Road"), or, when the surname is itself a place word (Church, Park,
 *   Hill, Green, …), after a preposition of place ("at Stanley Park", "near Grace Church").
 *   "Grace Church in Year 4" and "Stanley Park's reading" stay names.
 * - Not one name: words across a paragraph break ("Khan,⏎⏎Zara"), or a surname-first match after
 *   a title ("Dear Mr and Mrs Khan, Zara has settled"): a title is an adult's, and pupils are not given one.
 */

const PLACE_AFTER = new RegExp(
  String.raw`^[ \t]+(?:Primary|Infants?|Juniors?|Nursery|School|Academy|College|Church|Chapel|Cathedral|Mosque|Park|Road|Rd|Street|Lane|Avenue|Drive|Close|Crescent|Way|Hall|Centre|Center|Station|Library|Hospital|Surgery|Farm|Estate|Gardens|Common|Village|Museum|Theatre|Stadium|Leisure|Recreation|Cemetery|Methodist|Baptist|Catholic|CE|C of E|CofE|RC|of England)\b`,
);

const PLACE_WORDS: ReadonlySet<string> = new Set(
  (
    'church chapel park hill green hall road street lane field fields wood woods bridge cross dale heath marsh moor vale brook ' +
    'gate common abbey castle mill square court gardens grange farm'
  ).split(' '),
);

/** Prepositions and verbs of going that put a place after them; not "to" or "from", which as often name a person. */
const PLACE_BEFORE =
  /\b(?:at|in|near|opposite|past|around|round|through|behind|outside|inside|via|towards|visit|visited|visiting|(?:walk|walked|walking|trip|went|go|going|drive|drove|off|travel|travelled|journey|back) to)\s+(?:the\s+)?$/i;

const TITLE_BEFORE = /\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+$/i;

const PARAGRAPH_BREAK = /\n[ \t]*\n/;

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function surnamesOf(pupil: Pupil): string[] {
  return [pupil.legalSurname, pupil.preferredSurname].filter((surname): surname is string => surname !== undefined && surname !== '');
}

function startsWithSurname(match: NameMatch, pupil: Pupil): boolean {
  const written = fold(match.text);
  return surnamesOf(pupil).some((surname) => written.startsWith(fold(surname)));
}

function endsWithPlaceWord(match: NameMatch, pupil: Pupil): boolean {
  const written = fold(match.text);
  return surnamesOf(pupil).some((surname) => PLACE_WORDS.has(fold(surname)) && written.endsWith(fold(surname)));
}

/** True when the words `match` found are not `pupil` here: a place, or an adult's surname and a child's forename. */
export function notThePupilHere(text: string, match: NameMatch, pupil: Pupil | undefined): boolean {
  if (PARAGRAPH_BREAK.test(match.text)) return true;
  if (PLACE_AFTER.test(text.slice(match.end, match.end + 40))) return true;
  if (pupil === undefined) return false;
  const before = text.slice(Math.max(0, match.start - 40), match.start);
  const possessive = /^['’]s\b/.test(text.slice(match.end, match.end + 3));
  if (!possessive && endsWithPlaceWord(match, pupil) && PLACE_BEFORE.test(before)) return true;
  return startsWithSurname(match, pupil) && !fold(match.text).startsWith(fold(pupil.legalForename)) && TITLE_BEFORE.test(before);
}
