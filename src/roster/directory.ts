import { defaultCommonWords } from './common-words.js';
import { buildNameIndex } from './name-index.js';
import { nameKeys, tokenizeNames } from './name-tokens.js';
import { defaultDictionary, defaultShortForms, type ShortForms } from './name-variants.js';
import { RecentTexts } from './recent-texts.js';
import type { NameMatch, Pupil, SchoolDirectory, StaffMember } from './roster.js';
import { RosterError } from './roster-error.js';

export interface DirectoryOptions {
  /** Ordinary English words that are names only when capitalised; the shipped list by default. */
  readonly commonWords?: ReadonlySet<string>;
  /** Short forms of forenames (Tom → Thomas); the shipped nickname dataset by default. */
  readonly shortForms?: ShortForms;
  /** English words a slipped name must not be; the `word-list` package by default. */
  readonly dictionary?: ReadonlySet<string>;
}

/**
 * The school's people, indexed once per roster load. Name look-ups cost time in proportion to
 * the text, not to the roster (see `name-index.ts`). A pupil who shares a full name with a member
 * of staff is still found by `findPupilNames`; deciding which of them a text means is the
 * pupil-name detector's job, which has the sender and the words around the name.
 */
export function buildDirectory(pupils: readonly Pupil[], staff: readonly StaffMember[], options: DirectoryOptions = {}): SchoolDirectory {
  const commonWords = options.commonWords ?? defaultCommonWords();
  const pupilIndex = buildNameIndex(pupils, commonWords, {
    shortForms: options.shortForms ?? defaultShortForms(),
    dictionary: options.dictionary ?? defaultDictionary(),
    nameWords: nameWordsOf([...pupils, ...staff]),
  });
  const staffIndex = buildNameIndex(staff, commonWords);
  const pupilIdsByAddress = addressIndex(pupils);
  return {
    pupils: byId(pupils, 'pupil'),
    staff: byId(staff, 'staff'),
    findPupilNames: remembered((text) => pupilIndex.find(text, tokenizeNames(text))),
    findStaffNames: remembered((text) => staffIndex.find(text, tokenizeNames(text))),
    pupilIdsForAddress: (address) => pupilIdsByAddress.get(address.trim().toLowerCase()) ?? [],
  };
}

/** Every folded word of everyone's names, legal and preferred. */
function nameWordsOf(people: readonly (Pupil | StaffMember)[]): Set<string> {
  const words = new Set<string>();
  for (const person of people) {
    for (const name of [person.legalForename, person.preferredForename, person.legalSurname, person.preferredSurname, ...person.middleNames]) {
      if (name !== undefined) for (const key of nameKeys(name)) words.add(key);
    }
  }
  return words;
}

/** Several detectors ask about the same pieces; each caller gets its own copy of the kept answer. */
function remembered(find: (text: string) => NameMatch[]): (text: string) => NameMatch[] {
  const recent = new RecentTexts<readonly NameMatch[]>();
  return (text) => [...(recent.get(text) ?? recent.remember(text, find(text)))];
}

function byId<Person extends { readonly id: string }>(people: readonly Person[], kind: 'pupil' | 'staff'): Map<string, Person> {
  const map = new Map<string, Person>();
  for (const person of people) {
    if (map.has(person.id)) {
      // Two exports (or one edited by hand) gave one id to two people; neither can be trusted.
      throw new RosterError(`two ${kind} records share one id; ids must be unique across the ${kind} exports`, {
        file: `${kind} roster`,
      });
    }
    map.set(person.id, person);
  }
  return map;
}

/** Addresses of each pupil's parents and carers, and the pupil's own, to the pupils they belong to. */
function addressIndex(pupils: readonly Pupil[]): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const pupil of pupils) {
    const addresses = new Set([...pupil.contactEmails, ...(pupil.email === undefined ? [] : [pupil.email])]);
    for (const address of addresses) {
      const key = address.toLowerCase();
      const ids = index.get(key);
      if (ids === undefined) index.set(key, [pupil.id]);
      else ids.push(pupil.id);
    }
  }
  return index;
}
