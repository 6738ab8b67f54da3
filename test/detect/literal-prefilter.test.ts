import { describe, expect, it } from 'vitest';
import { createLiteralPrefilter, type Literal, type LiteralPrefilter } from '../../src/detect/literal-prefilter.js';

/** Literals that may stand anywhere, inside a word too. */
function prefilter(literals: readonly (readonly string[] | undefined)[]): LiteralPrefilter {
  return createLiteralPrefilter(literals.map((group) => group?.map((text): Literal => ({ text, atWordStart: false }))));
}

function groups(literals: readonly (readonly string[] | undefined)[], text: string): number[] {
  const { wholeText, hitsByGroup } = prefilter(literals)(text);
  return [...new Set([...wholeText, ...hitsByGroup.keys()])].sort();
}

describe('the literal prefilter', () => {
  it('names the groups whose literals occur, in any case, and no others', () => {
    expect(groups([['asthma', 'EpiPen'], ['dyslexia'], ['fsm']], 'Her EPIPEN is in the office.')).toEqual([0]);
    expect(groups([['asthma'], ['dyslexia']], 'Swimming kit on Tuesday.')).toEqual([]);
  });

  it('finds a literal that starts at the same place as a longer one of another group, or inside it', () => {
    expect(groups([['send'], ['sen']], 'sending')).toEqual([0, 1]);
    expect(groups([['safeguarding'], ['guard']], 'SAFEGUARDING')).toEqual([0, 1]);
    expect(groups([['abcd'], ['cdef']], 'abcdef')).toEqual([0, 1]);
  });

  it('folds case as the `iu` flags do: the long s and the Kelvin sign match s and k', () => {
    expect(groups([['self']], 'ſelf-harm')).toEqual([0]);
    expect(groups([['kidney']], '\u212Aidney')).toEqual([0]);
  });

  it('always names a group that has no literals, or literals beyond printable ASCII', () => {
    expect(groups([undefined, ['café'], ['asthma']], 'nothing here')).toEqual([0, 1]);
  });

  it('treats literals as text, not as regular expressions', () => {
    expect(groups([['a&e'], ['pp+'], ['1:1']], 'went to A&E')).toEqual([0]);
    expect(groups([['pp+']], 'ppp')).toEqual([]);
  });

  it("gives every place where each group's literals start, overlapping ones too", () => {
    const { wholeText, hitsByGroup } = prefilter([['send'], ['sen', 'needs']])('SEN needs; sending');
    expect(wholeText.size).toBe(0);
    expect(hitsByGroup.get(0)).toEqual([{ index: 11, length: 4 }]);
    expect(hitsByGroup.get(1)).toEqual([
      { index: 0, length: 3 },
      { index: 4, length: 5 },
      { index: 11, length: 4 },
    ]);
  });

  it('sends a group to the whole text when lower-casing moves places (a dotted capital I)', () => {
    const { wholeText, hitsByGroup } = prefilter([['asthma'], ['epipen']])('İ asthma');
    expect([...wholeText]).toEqual([0]);
    expect(hitsByGroup.size).toBe(0);
  });

  it('gives a literal that starts a word in its patterns only the places where no letter or digit stands before it', () => {
    const search = createLiteralPrefilter([[{ text: 'ta', atWordStart: true }], [{ text: 'ta', atWordStart: false }]]);
    const { hitsByGroup } = search('TA support, data, 9ta, -ta, éta, 𝐀ta, ta');
    expect(hitsByGroup.get(0)?.map((hit) => hit.index)).toEqual([0, 24, 39]);
    expect(hitsByGroup.get(1)?.length).toBe(7);
    expect(search('data').hitsByGroup.has(0)).toBe(false);
  });

  it('counts a place inside a word for a group when any of its literals found there may stand inside a word', () => {
    const shorterAnywhere = createLiteralPrefilter([
      [
        { text: 'pp', atWordStart: false },
        { text: 'ppe', atWordStart: true },
      ],
    ]);
    expect(shorterAnywhere('apper').hitsByGroup.get(0)).toEqual([{ index: 1, length: 3 }]);
    const bothAtWordStart = createLiteralPrefilter([
      [
        { text: 'pp', atWordStart: true },
        { text: 'ppe', atWordStart: true },
      ],
    ]);
    expect(bothAtWordStart('apper').hitsByGroup.size).toBe(0);
    expect(bothAtWordStart('a pper').hitsByGroup.get(0)).toEqual([{ index: 2, length: 3 }]);
    // Lower-casing İ lengthens the text, so places cannot be judged: the group goes to the whole text.
    expect([...bothAtWordStart('İ a pper').wholeText]).toEqual([0]);
    expect([...bothAtWordStart('İ apper').wholeText]).toEqual([0]);
    const sameLiteralTwice = createLiteralPrefilter([
      [
        { text: 'ta', atWordStart: true },
        { text: 'TA', atWordStart: false },
      ],
    ]);
    expect(sameLiteralTwice('data').hitsByGroup.get(0)).toEqual([{ index: 2, length: 2 }]);
  });
});
