import { describe, expect, it } from 'vitest';
import { createLiteralPrefilter } from '../../src/detect/literal-prefilter.js';

const groups = (literals: readonly (readonly string[] | undefined)[], text: string) => [...createLiteralPrefilter(literals)(text)].sort();

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
});
