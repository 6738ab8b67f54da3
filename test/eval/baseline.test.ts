import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BaselineError, baselineOf, loadMinimum, regressions } from '../../src/eval/baseline.js';
import { scoreCorpus, type LabelledMessage, type ScanOutcome } from '../../src/eval/score.js';

const LABELS: LabelledMessage[] = [
  { file: 'a.eml', expect: [{ category: 'pupil-name', part: 'body', match: 'Ada Obi', pupilId: 'P1' }], verdict: 'encrypt' },
  { file: 'b.eml', expect: [{ category: 'language/profanity', part: 'subject', match: 'damn' }], verdict: 'return' },
];

function outcome(findings: ScanOutcome['findings'], action: string): ScanOutcome {
  return { findings, verdict: { action } };
}

const PERFECT = new Map([
  ['a.eml', outcome([{ category: 'pupil-name', location: { part: 'body' }, match: 'Ada Obi', pupilId: 'P1' }], 'encrypt')],
  ['b.eml', outcome([{ category: 'language/profanity', location: { part: 'subject' }, match: 'damn' }], 'return')],
]);

/** The name missed, a false alarm in b, and b delivered. */
const WORSE = new Map([
  ['a.eml', outcome([], 'encrypt')],
  [
    'b.eml',
    outcome(
      [
        { category: 'language/profanity', location: { part: 'subject' }, match: 'damn' },
        { category: 'person-name', location: { part: 'body' }, match: 'Bo Li' },
      ],
      'deliver',
    ),
  ],
]);

describe('the corpus gate', () => {
  it('finds no regression in the run a baseline was taken from', () => {
    const report = scoreCorpus(LABELS, WORSE);
    expect(regressions(report, { baseline: baselineOf(report) })).toEqual([]);
  });

  it('names each score and each verdict that fell below the baseline', () => {
    const baseline = baselineOf(scoreCorpus(LABELS, PERFECT));
    expect(regressions(scoreCorpus(LABELS, WORSE), { baseline })).toEqual([
      "pupil-name recall 0.000 is below the baseline's 1.000",
      "person-name precision 0.000 is below the baseline's 1.000",
      'b.eml verdict deliver, expected return',
    ]);
  });

  it('accepts the verdict mismatches the baseline lists, and nothing else', () => {
    const report = scoreCorpus(LABELS, WORSE);
    const baseline = { ...baselineOf(report), verdictMismatches: [] };
    expect(regressions(report, { baseline })).toEqual(['b.eml verdict deliver, expected return']);
    expect(regressions(report, { baseline: { ...baseline, verdictMismatches: ['b.eml'] } })).toEqual([]);
  });

  it('rounds the baseline down, so 2 of 3 is kept as 0.666 and met by the same run', () => {
    const labels: LabelledMessage[] = [
      { file: 'c.eml', expect: ['Ada Obi', 'Bo Li', 'Cy Ng'].map((match) => ({ category: 'person-name', part: 'body', match })), verdict: 'deliver' },
    ];
    const report = scoreCorpus(
      labels,
      new Map([
        [
          'c.eml',
          outcome(
            ['Ada Obi', 'Bo Li'].map((match) => ({ category: 'person-name', location: { part: 'body' }, match })),
            'deliver',
          ),
        ],
      ]),
    );
    const baseline = baselineOf(report);
    expect(baseline.categories['person-name']).toEqual({ precision: 1, recall: 0.666 });
    expect(regressions(report, { baseline })).toEqual([]);
  });

  it('with a floor, asks every score and the verdict agreement for at least that', () => {
    expect(regressions(scoreCorpus(LABELS, PERFECT), { floor: 1 })).toEqual([]);
    expect(regressions(scoreCorpus(LABELS, WORSE), { floor: 0.9 })).toEqual([
      'pupil-name recall 0.000 is below 0.9',
      'person-name precision 0.000 is below 0.9',
      'verdict agreement 1/2 is below 0.9',
    ]);
  });

  it('reads --min as a floor or a baseline file, and refuses a file that is not a baseline', async () => {
    expect(await loadMinimum('0.95')).toEqual({ floor: 0.95 });
    expect(await loadMinimum('1')).toEqual({ floor: 1 });
    const directory = await mkdtemp(join(tmpdir(), 'hm-baseline-'));
    const good = join(directory, 'good.json');
    await writeFile(good, JSON.stringify({ categories: { 'pupil-name': { precision: 1, recall: 0.9 } }, verdictMismatches: [] }));
    expect(await loadMinimum(good)).toEqual({ baseline: { categories: { 'pupil-name': { precision: 1, recall: 0.9 } }, verdictMismatches: [] } });
    const bad = join(directory, 'bad.json');
    await writeFile(bad, JSON.stringify({ categories: { 'pupil-name': { precision: 2, recall: 1 } }, verdictMismatches: [] }));
    await expect(loadMinimum(bad)).rejects.toThrow(BaselineError);
    await expect(loadMinimum(bad)).rejects.toThrow(/categories\.pupil-name\.precision/);
    await expect(loadMinimum(join(directory, 'missing.json'))).rejects.toThrow(/not a readable JSON baseline/);
  });
});
