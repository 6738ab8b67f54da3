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

/**
 * A literal of a group. `atWordStart` when no match of the group can have a letter or digit just
 * before it (its pattern puts it at the pattern's start, which must not be inside a word, or after a
 * space or dash): a place inside a word ("ta" in "data") is then no place for the group's patterns.
 */
export interface Literal {
  readonly text: string;
  readonly atWordStart: boolean;
}

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
export function createLiteralPrefilter(literalsByGroup: readonly (readonly Literal[] | undefined)[]): LiteralPrefilter {
  const always = new Set<number>();
  const groupsOfLiteral = new Map<string, GroupsAtPlace>();
  literalsByGroup.forEach((literals, group) => {
    if (literals === undefined || literals.length === 0 || literals.some((literal) => !PRINTABLE_ASCII.test(literal.text))) {
      always.add(group);
      return;
    }
    for (const literal of literals) {
      const lowerCase = literal.text.toLowerCase();
      const groups = groupsOfLiteral.get(lowerCase) ?? new Map<number, boolean>();
      groups.set(group, (groups.get(group) ?? true) && literal.atWordStart);
      groupsOfLiteral.set(lowerCase, groups);
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
    // Places in the folded text are places in the text only if folding kept every character's length (below).
    const aligned = folded.length === text.length;
    pattern.lastIndex = 0;
    for (let hit = pattern.exec(folded); hit !== null; hit = pattern.exec(folded)) {
      const place = { index: hit.index, length: hit[0].length };
      let insideAWord: boolean | undefined;
      for (const [group, onlyAtWordStart] of groupsAt.get(hit[0]) ?? []) {
        if (onlyAtWordStart && aligned && (insideAWord ??= followsLetterOrDigit(text, hit.index))) continue;
        const hits = hitsByGroup.get(group);
        if (hits === undefined) hitsByGroup.set(group, [place]);
        else hits.push(place);
      }
      // Overlapping: a literal may start inside the one just found.
      pattern.lastIndex = hit.index + 1;
    }
    // Lower-casing lengthened a character (İ becomes i and a combining dot): places in the folded
    // text are not places in the text, so the groups found are tried on all of it.
    if (!aligned) {
      for (const group of hitsByGroup.keys()) wholeText.add(group);
      hitsByGroup.clear();
    }
    return { wholeText, hitsByGroup };
  };
}

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** The groups a literal found at a place stands for, each with whether it counts only at a word's start. */
type GroupsAtPlace = Map<number, boolean>;

/**
 * The alternation, longest first, reports the longest literal starting at a place; every shorter
 * one starting there is a prefix of it, so the groups found at a hit are those of all its prefixes.
 * A group counts a hit inside a word if any of those literals of its may stand inside one.
 */
function groupsStartingWith(literals: readonly string[], groupsOfLiteral: ReadonlyMap<string, GroupsAtPlace>): Map<string, GroupsAtPlace> {
  const groupsAt = new Map<string, GroupsAtPlace>();
  for (const literal of literals) {
    const groups: GroupsAtPlace = new Map();
    for (const prefix of literals) {
      if (!literal.startsWith(prefix)) continue;
      for (const [group, onlyAtWordStart] of groupsOfLiteral.get(prefix) ?? []) groups.set(group, (groups.get(group) ?? true) && onlyAtWordStart);
    }
    groupsAt.set(literal, groups);
  }
  return groupsAt;
}

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

/** Whether a letter or digit ends just before `index`: what the patterns' `(?<![\p{L}\p{N}])` rejects. */
function followsLetterOrDigit(text: string, index: number): boolean {
  if (index === 0) return false;
  const code = text.charCodeAt(index - 1);
  if (code < 0x80) return (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a);
  const pairStart = index >= 2 && code >= 0xdc00 && code <= 0xdfff && isHighSurrogate(text.charCodeAt(index - 2));
  return LETTER_OR_DIGIT.test(text.slice(pairStart ? index - 2 : index - 1, index));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * The text as the lower-case literals are sought in it. Under the `iu` flags only two characters
 * outside ASCII match an ASCII letter: the long s (ſ), and the Kelvin sign, which lower-casing
 * already turns into k.
 */
function foldCase(text: string): string {
  return text.toLowerCase().replaceAll('ſ', 's');
}
