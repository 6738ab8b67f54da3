import { describe, expect, it } from 'vitest';
import { buildDirectory } from '../../src/roster/directory.js';
import { RecentTexts } from '../../src/roster/recent-texts.js';
import { pupil } from './people.js';

describe('RecentTexts', () => {
  it('keeps the last few answers and forgets the least recently used', () => {
    const recent = new RecentTexts<number>(2, 1000);
    recent.remember('a', 1);
    recent.remember('b', 2);
    expect(recent.get('a')).toBe(1);
    recent.remember('c', 3);
    expect([recent.get('a'), recent.get('b'), recent.get('c')]).toEqual([1, undefined, 3]);
  });

  it('bounds the characters it keeps, and never keeps a text larger than that', () => {
    const recent = new RecentTexts<number>(10, 10);
    recent.remember('123456', 1);
    recent.remember('abcdef', 2);
    expect([recent.get('123456'), recent.get('abcdef')]).toEqual([undefined, 2]);
    expect(recent.remember('x'.repeat(11), 3)).toBe(3);
    expect(recent.get('x'.repeat(11))).toBeUndefined();
  });
});

describe('the directory with remembered answers', () => {
  const directory = buildDirectory([pupil('P-1', 'Ama', 'Owusu')], []);

  it('gives each caller its own copy', () => {
    const first = directory.findPupilNames('Ama Owusu');
    first.pop();
    expect(directory.findPupilNames('Ama Owusu')).toHaveLength(1);
  });
});
