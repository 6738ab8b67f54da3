import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostileMessage } from '../../bench/hostile-mime.js';
import { ACTIONS_BY_PROTECTION } from '../../src/policy/verdict.js';
import { loadSchool } from '../../src/scan/load-school.js';
import { scanMessage } from '../../src/scan/scan-message.js';

/** A slice of `npm run fuzz` on every test run: the full 10,000 are the fuzz script's. */
describe('hostile MIME (the fuzz generator)', () => {
  it('makes the same message from the same seed, and different ones from different seeds', () => {
    expect(hostileMessage(7).equals(hostileMessage(7))).toBe(true);
    expect(hostileMessage(7).equals(hostileMessage(8))).toBe(false);
  });

  it('every one of 60 gets a verdict, none throws', async () => {
    const { school, detectors } = await loadSchool({
      id: 'fuzz',
      domains: ['stmarys-example.sch.uk'],
      rosterPath: resolve('fixtures/roster/pupils.csv'),
      staffPath: resolve('fixtures/roster/staff.csv'),
    });
    for (let seed = 1000; seed < 1060; seed += 1) {
      const result = await scanMessage(hostileMessage(seed), school, detectors, { mailFrom: 'teacher@stmarys-example.sch.uk', rcptTo: ['parent@example.org'] });
      expect(ACTIONS_BY_PROTECTION, `seed ${seed}`).toContain(result.verdict.action);
    }
  }, 120_000);
});
