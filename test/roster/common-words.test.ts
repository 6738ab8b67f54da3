import { describe, expect, it } from 'vitest';
import { defaultCommonWords, parseCommonWords } from '../../src/roster/common-words.js';
import { RulesError } from '../../src/config/yaml-file.js';

describe('the shipped common words', () => {
  const words = defaultCommonWords();

  it('has a few thousand words', () => {
    expect(words.size).toBeGreaterThan(2500);
  });

  const namesThatAreWords = [
    ...['will', 'grace', 'hope', 'rose', 'mark', 'may', 'joy', 'faith', 'art', 'bill', 'frank', 'jack'],
    ...['brown', 'green', 'young', 'king', 'hall', 'white', 'black', 'wood', 'long', 'little', 'rich', 'bell', 'baker', 'cook', 'hunt', 'price'],
  ];
  it.each([...namesThatAreWords, 'is', 'monday'])('lists %s', (word) => {
    expect(words.has(word)).toBe(true);
  });

  it.each(['kwame', 'mensah', 'sarah', 'james', 'okafor', 'siobhan', 'scott', 'lawrence'])('does not list the name %s', (name) => {
    expect(words.has(name)).toBe(false);
  });
});

describe('parseCommonWords', () => {
  it('reads a block of words separated by spaces and line breaks', () => {
    expect([...parseCommonWords('words: >-\n  will grace\n  hope\n', 'w.yaml')]).toEqual(['will', 'grace', 'hope']);
  });

  it.each([
    ['words: >-\n  will Grace\n', 'lower case'],
    ['words: >-\n  o’brien\n', 'letters only'],
    ['words: ""\n', '1'],
    ['other: x\n', 'words'],
  ])('refuses %j', (yaml, problem) => {
    expect(() => parseCommonWords(yaml, 'w.yaml')).toThrow(RulesError);
    expect(() => parseCommonWords(yaml, 'w.yaml')).toThrow(new RegExp(problem));
  });
});
