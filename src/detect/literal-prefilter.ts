/**
 * Which of several groups of patterns can match a text, and where, found in one pass: each group
 * names literal strings of which every match of its patterns contains one (small and capital
 * letters alike), and a group none of whose literals occurs in the text need not be tried on it.
 * Most text holds no sensitive vocabulary at all, and one plain alternation of literals, without
 * look-behinds, optional parts or the `i` flag, is far cheaper than the patterns themselves; where
 * a literal does occur, the patterns need only be tried around it.
 */
import { escapeRegExp } from '../escape.js';

export type LiteralPrefilter = (text: string) => LiteralSearch;

/** A place in the text where a literal starts, and the length of the longest literal starting there. */
export interface LiteralHit {
  readonly index: number;
  readonly length: number;
}

export interface LiteralSearch {
  /** Groups to try on the whole text: those that name no usable literals, or whose hits cannot be placed. */
  readonly wholeText: ReadonlySet<number>;
  /** For every other group that may match, each place one of its literals starts, in order. */
  readonly hitsByGroup: ReadonlyMap<number, readonly LiteralHit[]>;
}

/**
 * `literalsByGroup[i]` are group i's literals; undefined for a group that cannot name any, which
 * is then always tried on the whole text, as is every group whose literals are not all printable
 * ASCII (where lower-casing and the `iu` flags' case folding could differ).
 */
export function createLiteralPrefilter(literalsByGroup: readonly (readonly string[] | undefined)[]): LiteralPrefilter {
  const always = new Set<number>();
  const groupsOfLiteral = new Map<string, Set<number>>();
  literalsByGroup.forEach((literals, group) => {
    if (literals === undefined || literals.length === 0 || literals.some((literal) => !PRINTABLE_ASCII.test(literal))) {
      always.add(group);
      return;
    }
    for (const literal of literals) {
      const lowerCase = literal.toLowerCase();
      groupsOfLiteral.set(lowerCase, (groupsOfLiteral.get(lowerCase) ?? new Set()).add(group));
    }
  });
  const byLength = [...groupsOfLiteral.keys()].sort((a, b) => b.length - a.length);
  const groupsAt = groupsStartingWith(byLength, groupsOfLiteral);
  const pattern = byLength.length === 0 ? undefined : new RegExp(byLength.map(escapeRegExp).join('|'), 'g');

  return function search(text) {
    const wholeText = new Set(always);
    const hitsByGroup = new Map<number, LiteralHit[]>();
    if (pattern === undefined) return { wholeText, hitsByGroup };
    const folded = foldCase(text);
    pattern.lastIndex = 0;
    for (let hit = pattern.exec(folded); hit !== null; hit = pattern.exec(folded)) {
      const place = { index: hit.index, length: hit[0].length };
      for (const group of groupsAt.get(hit[0]) ?? []) {
        const hits = hitsByGroup.get(group);
        if (hits === undefined) hitsByGroup.set(group, [place]);
        else hits.push(place);
      }
      // Overlapping: a literal may start inside the one just found.
      pattern.lastIndex = hit.index + 1;
    }
    // Lower-casing lengthened a character (İ becomes i and a combining dot): places in the folded
    // text are not places in the text, so the groups found are tried on all of it.
    if (folded.length !== text.length) {
      for (const group of hitsByGroup.keys()) wholeText.add(group);
      hitsByGroup.clear();
    }
    return { wholeText, hitsByGroup };
  };
}

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/**
 * The alternation, longest first, reports the longest literal starting at a place; every shorter
 * one starting there is a prefix of it, so the groups found at a hit are those of all its prefixes.
 */
function groupsStartingWith(literals: readonly string[], groupsOfLiteral: ReadonlyMap<string, ReadonlySet<number>>): Map<string, Set<number>> {
  const groupsAt = new Map<string, Set<number>>();
  for (const literal of literals) {
    const groups = new Set<number>();
    for (const prefix of literals) {
      if (literal.startsWith(prefix)) for (const group of groupsOfLiteral.get(prefix) ?? []) groups.add(group);
    }
    groupsAt.set(literal, groups);
  }
  return groupsAt;
}

/**
 * The text as the lower-case literals are sought in it. Under the `iu` flags only two characters
 * outside ASCII match an ASCII letter: the long s (ſ), and the Kelvin sign, which lower-casing
 * already turns into k.
 */
function foldCase(text: string): string {
  return text.toLowerCase().replaceAll('ſ', 's');
}

