import { describe, expect, it } from 'vitest';
import { foldName, nameKeys, tokenizeNames } from '../../src/roster/name-tokens.js';

describe('foldName', () => {
  it.each([
    ['Zoë', 'zoe'],
    ['Zoe\u0308', 'zoe'],
    ['Siobhán', 'siobhan'],
    ['O’Brien', 'obrien'],
    ["O'Brien", 'obrien'],
    ['O`Brien', 'obrien'],
    ['D‘Souza', 'dsouza'],
    ['Oʼbrien', 'obrien'],
    ['Øyvind', 'oyvind'],
    ['Łukasz', 'lukasz'],
    ['Strauß', 'strauss'],
    ['İlkay', 'ilkay'],
    ['Nguyễn', 'nguyen'],
    ['KWAME', 'kwame'],
    ['Kw\u00adame', 'kwame'],
  ])('folds %s to %s', (name, key) => {
    expect(foldName(name)).toBe(key);
  });
});

describe('nameKeys', () => {
  it('splits names on spaces and hyphens', () => {
    expect(nameKeys('Van der  Berg')).toEqual(['van', 'der', 'berg']);
    expect(nameKeys('Smith-Jones')).toEqual(['smith', 'jones']);
    expect(nameKeys('Mary\u2010Jane')).toEqual(['mary', 'jane']);
    expect(nameKeys("O'Brien")).toEqual(['obrien']);
    expect(nameKeys(' J.J. ')).toEqual(['jj']);
    expect(nameKeys(' - ')).toEqual([]);
  });
});

describe('tokenizeNames', () => {
  const summary = (text: string): string[] => tokenizeNames(text).map((token) => `${text.slice(token.start, token.end)}|${token.key}|${token.shape}|${token.gap}`);

  it('gives each word its place, key, case and what joins it to the word before', () => {
    expect(summary('MENSAH, Kwame-Kofi o’brien\nZoë. Ann')).toEqual([
      'MENSAH|mensah|upper|start',
      'Kwame|kwame|capitalised|comma',
      'Kofi|kofi|capitalised|hyphen',
      'o’brien|obrien|lower|space',
      'Zoë|zoe|capitalised|line-break',
      'Ann|ann|capitalised|other',
    ]);
  });

  it('keeps the full stop of a one-letter initial inside a name', () => {
    expect(summary('Kwame J. Mensah')).toEqual(['Kwame|kwame|capitalised|start', 'J|j|capitalised|space', 'Mensah|mensah|capitalised|space']);
  });

  it('marks possessives and where the name before them ends', () => {
    const [token] = tokenizeNames('Mensah’s');
    expect(token).toMatchObject({ key: 'mensahs', possessive: { key: 'mensah', end: 6 } });
    expect(tokenizeNames("Jones' coat")[0]).toMatchObject({ key: 'jones', possessive: undefined, end: 5 });
  });

  it('treats digits, punctuation and two commas as breaks', () => {
    expect(summary('Ann2Lee, , Bo (Ty)').map((entry) => entry.split('|')[3])).toEqual(['start', 'other', 'other', 'other']);
  });

  it('reads letters beyond the Basic Multilingual Plane and no-case scripts', () => {
    expect(summary('𝐀nn محمد').map((entry) => entry.split('|').slice(2).join('|'))).toEqual(['capitalised|start', 'capitalised|space']);
  });
});
