import { describe, expect, it } from 'vitest';
import { verdictForAutomaticMessage } from '../../src/policy/automatic-message.js';
import type { Action, Verdict } from '../../src/policy/verdict.js';

function verdict(action: Action): Verdict {
  const rule = { id: 'initials-only', action, description: 'd', clause: 'c', reason: 'r', findings: [] };
  return { action, rules: action === 'deliver' ? [] : [rule], findings: [], notifications: [{ to: 'sender', level: 'immediate', ruleId: 'initials-only' }] };
}

describe('verdictForAutomaticMessage', () => {
  it('holds what the rules would return or encrypt: nobody could be told why, or told the passphrase', () => {
    for (const action of ['return', 'encrypt'] as const) {
      const held = verdictForAutomaticMessage(verdict(action));
      expect(held.action).toBe('quarantine');
      expect(held.rules.map((rule) => [rule.id, rule.action])).toEqual([['initials-only', action]]);
    }
  });

  it('leaves a delivery and a quarantine as they were', () => {
    for (const action of ['deliver', 'quarantine'] as const) expect(verdictForAutomaticMessage(verdict(action))).toEqual(verdict(action));
  });
});
