import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditDigestSource } from '../../src/gateway/audit-digest-source.js';
import type { RuleSet } from '../../src/policy/decide.js';
import { openConfiguredStore } from '../../src/store/configured-store.js';
import { verdictEntry } from '../store/support/invented-records.js';

describe('the digest’s counts from the audit log', () => {
  it('sums a school’s day: verdicts, categories, rules, stopped senders and digest-level notifications', async () => {
    const store = await openConfiguredStore({ data: await mkdtemp(join(tmpdir(), 'hm-digest-')) });
    try {
      const at = new Date('2026-11-20T10:00:00Z');
      const stopped = { ruleIds: ['slur'], categories: { 'language/slur': 1 }, action: 'quarantine' as const, at };
      await store.audit.append(verdictEntry({ messageId: 'a', ...stopped }));
      await store.audit.append(verdictEntry({ messageId: 'b', ...stopped }));
      await store.audit.append(verdictEntry({ messageId: 'c', action: 'deliver', ruleIds: [], categories: {}, at }));
      await store.audit.append(verdictEntry({ messageId: 'd', ...stopped, schoolId: 'another-school' }));
      await store.audit.append(verdictEntry({ messageId: 'e', ...stopped, at: new Date('2026-11-22T10:00:00Z') }));
      const ruleSet = {
        rules: [
          {
            id: 'slur',
            notify: [
              { to: 'dpo', level: 'digest' },
              { to: 'business-manager', level: 'immediate' },
            ],
          },
        ],
      } as unknown as RuleSet;
      const summary = await auditDigestSource(store.audit, () => ruleSet).summarise('st-marys-example', new Date('2026-11-20T00:00:00Z'), new Date('2026-11-21T00:00:00Z'));
      expect(summary).toEqual({
        verdicts: { quarantine: 2, deliver: 1 },
        categories: { 'language/slur': 2 },
        topRules: [{ id: 'slur', count: 2 }],
        sendersNeedingTraining: [{ sender: 'teacher.one@stmarys-example.sch.uk', count: 2 }],
        digestNotifications: 2,
      });
    } finally {
      await store.close();
    }
  });
});
