import { describe, expect, it } from 'vitest';
import type { RuleSet } from '../../src/policy/decide.js';
import { conditionCategories, rulesBehind } from '../../src/policy/rule-categories.js';

const RULES: RuleSet = {
  rules: [
    {
      id: 'names-out',
      description: 'd',
      clause: 'c',
      reason: 'r',
      action: 'quarantine',
      notify: [],
      when: { all: [{ finding: { category: ['pupil-name'] } }, { recipients: { external: true } }] },
    },
    {
      id: 'sensitive-out',
      description: 'd',
      clause: 'c',
      reason: 'r',
      action: 'encrypt',
      notify: [],
      when: { any: [{ finding: { category: ['sensitive/*'] } }, { not: { finding: { category: ['personal-data/upn'] } } }] },
    },
    { id: 'bulk', description: 'd', clause: 'c', reason: 'r', action: 'return', notify: [], when: { recipients: { 'min-count': 20 } } },
  ],
};

describe('rulesBehind', () => {
  it('reads every category pattern of a condition, through all, any and not', () => {
    expect(conditionCategories(RULES.rules[1]!.when)).toEqual(['sensitive/*', 'personal-data/upn']);
  });

  it('counts a false positive against the fired rules that read its category, or all of them when none does', () => {
    expect(rulesBehind('sensitive/health', ['names-out', 'sensitive-out'], RULES)).toEqual(['sensitive-out']);
    expect(rulesBehind('pupil-name', ['names-out', 'sensitive-out'], RULES)).toEqual(['names-out']);
    expect(rulesBehind('recipients/visible-bulk', ['bulk'], RULES)).toEqual(['bulk']);
    expect(rulesBehind('pupil-name', ['names-out'], undefined)).toEqual(['names-out']);
  });
});
