import { describe, expect, it } from 'vitest';
import { isDay, londonDay, londonMidnight, londonTime, parseTerm, recentTerms, termOfDay, termRange } from '../../src/web/school-terms.js';
import { londonDailyCounts, weeksCovering } from '../../src/web/weekly-counts.js';

describe('school terms and London dates', () => {
  it("starts a London day at midnight London time, an hour before UTC's in summer time", () => {
    expect(londonMidnight('2026-07-01').toISOString()).toBe('2026-06-30T23:00:00.000Z');
    expect(londonMidnight('2026-12-01').toISOString()).toBe('2026-12-01T00:00:00.000Z');
    // The clocks change on 29 March and 25 October 2026: each of those days still starts at its own midnight.
    expect(londonMidnight('2026-03-29').toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(londonMidnight('2026-10-25').toISOString()).toBe('2026-10-24T23:00:00.000Z');
    expect(londonDay(new Date('2026-08-31T23:30:00Z'))).toBe('2026-09-01');
    expect(londonTime(new Date('2026-10-10T23:30:00Z'))).toBe('2026-10-11 00:30');
  });

  it('defines autumn, spring and summer so that every day is in exactly one term', () => {
    expect(parseTerm('2026-autumn')).toEqual({ id: '2026-autumn', label: 'Autumn term 2026', firstDay: '2026-09-01', lastDay: '2026-12-31' });
    expect(parseTerm('2028-spring')?.lastDay).toBe('2028-03-31');
    expect(parseTerm('2027-summer')).toMatchObject({ firstDay: '2027-04-01', lastDay: '2027-08-31' });
    expect(parseTerm('2026-winter')).toBeUndefined();
    expect(termOfDay('2027-01-01').id).toBe('2027-spring');
    expect(termOfDay('2026-08-31').id).toBe('2026-summer');
    const range = termRange(parseTerm('2026-autumn')!);
    expect([range.since.toISOString(), range.until.toISOString()]).toEqual(['2026-08-31T23:00:00.000Z', '2027-01-01T00:00:00.000Z']);
    expect(recentTerms(new Date('2027-01-10T12:00:00Z'), 4).map((term) => term.id)).toEqual(['2027-spring', '2026-autumn', '2026-summer', '2026-spring']);
    expect(weeksCovering('2026-09-01', '2026-12-31')).toBe(18);
  });

  it('checks a written day is a real one', () => {
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-2-01')).toBe(false);
  });

  it('folds counts per UTC hour into London days', () => {
    const folded = londonDailyCounts({
      verdicts: [
        { day: '2026-08-31T22', action: 'deliver', count: 2 },
        { day: '2026-08-31T23', action: 'deliver', count: 3 },
        { day: '2026-09-01T09', action: 'deliver', count: 4 },
      ],
      findings: [{ day: '2026-12-31T23', category: 'pupil-name', count: 1 }],
    });
    expect(folded.verdicts).toEqual([
      { day: '2026-08-31', action: 'deliver', count: 2 },
      { day: '2026-09-01', action: 'deliver', count: 7 },
    ]);
    expect(folded.findings).toEqual([{ day: '2026-12-31', category: 'pupil-name', count: 1 }]);
  });
});
