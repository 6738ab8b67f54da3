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
 * policies and training write of no one in particular. Staff names and titled names alone are
 * not enough: every message is signed by one.
 */

/** How far either side of a term a person may be named. */
export const PERSON_REACH = 300;

/** "he or she", "his/her", "s/he": a policy's reader, not a person. */
const GENERIC_PRONOUNS = /\b(?:he|his|him|she|her|hers)\s*(?:\/|\bor\b)\s*(?:he|his|him|she|her|hers|them|their|they)\b|\bs\/he\b/gi;

/** "U.S.", "U.K.", "E.U.", "U.N.": places and bodies written with stops, not a person's initials. */
const PLACE_ABBREVIATIONS = /(?<![\p{L}.])(?:U\.\s?S|U\.\s?K|E\.\s?U|U\.\s?N)\.(?:\s?A\.)?/gu;

const PRONOUN = /\b(?:he|she|him|his|her|hers|himself|herself)\b/i;

const ROLE = new RegExp(
  String.raw`\b(?:the|this|that|my|your|our|his|her|their|whose)\s+(?:(?:young|little|older|younger|eldest|youngest|new)\s+)?` +
    String.raw`(?:pupil|child|student|learner|boy|girl|son|daughter|baby|toddler|brother|sister|sibling|twin|mum|mother|dad|father|parent|carer|grandparent|grandmother|grandfather|nan|grandad|aunt|uncle|step-?(?:mother|father|son|daughter)|foster carer|young person|colleague|member of staff|teacher|wife|husband|partner|family)\b` +
    String.raw`|\b(?:two|three|four|five|six|seven|eight|nine|ten|\d{1,3}|both|these|those)\s+(?:pupils|children|students|learners|boys|girls|siblings|brothers|sisters|twins)\b`,
  'i',
);

/** "Z.K.", "Z. K.", or "ZK" doing something: what staff write for a pupil's name, as policy asks. */
const INITIALS = /(?<![\p{L}.])[A-Z]\.\s?[A-Z]\.?(?![\p{L}])|\b[A-Z]{2,3}(?:'s|’s|\s+(?:has|is|was|had|needs|will|takes|gets|did|can|cannot|should|must|attends)\b)/u;

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

/** A capitalised word, maybe a surname after it, then a possessive or a verb a person does. */
const NAME_DOING = /\b([A-Z][a-z'’-]+)(?:\s+[A-Z][a-z'’-]+)?(?:['’]s\b|\s+(?:has|had|is|was|needs|needed|will|takes|took|uses|gets|got|did|does|can|cannot|can't|should|must|attends|attended|struggles|struggled|seems|became|felt|feels|told|said|disclosed|missed)\b)/gu;

function namesSomeoneDoing(window: string): boolean {
  for (const match of window.matchAll(NAME_DOING)) if (!NOT_NAMES.has(match[1] ?? '')) return true;
  return false;
}

/** True when a particular person is named within `PERSON_REACH` characters of `hit` in `text`. */
export function personNear(text: string, hit: Span): boolean {
  const from = Math.max(0, hit.start - PERSON_REACH);
  const window = `${text.slice(from, hit.start)} ${text.slice(hit.end, hit.end + PERSON_REACH)}`;
  const specific = window.replace(GENERIC_PRONOUNS, ' ').replace(PLACE_ABBREVIATIONS, ' ');
  return (
    PRONOUN.test(specific) ||
    ROLE.test(specific) ||
    INITIALS.test(specific) ||
    namesSomeoneDoing(specific)
  );
}

/** True when the message names a pupil of the roster anywhere, or has initials in its subject. */
export function namesAPupil(view: MessageView, directory: SchoolDirectory): boolean {
  return INITIALS.test(view.subject) || view.pieces.some((piece) => directory.findPupilNames(piece.text).length > 0);
}
