import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/** Two messages of the fixture corpus, one labelled with a verdict the scanner will not reach. */
let corpus: string;

beforeAll(async () => {
  corpus = await mkdtemp(join(tmpdir(), 'hm-eval-'));
  for (const file of ['clean-inset-day.eml', 'profanity-subject.eml']) await copyFile(join('fixtures/corpus', file), join(corpus, file));
  await writeFile(
    join(corpus, 'labels.yaml'),
    [
      '- file: clean-inset-day.eml',
      '  expect: []',
      '  verdict: deliver',
      '- file: profanity-subject.eml',
      '  expect:',
      '    - { category: language/profanity, part: subject, match: sh*t }',
      '  verdict: quarantine',
      '',
    ].join('\n'),
  );
});

describe('hallmonitor eval --min', { timeout: 120_000 }, () => {
  it('exits 1 and names the regression when a verdict disagrees that the baseline does not accept', async () => {
    const baseline = join(corpus, 'baseline.json');
    await writeFile(baseline, JSON.stringify({ categories: {}, verdictMismatches: [] }));
    const run = runCli(['eval', corpus, '--min', baseline]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('gate: 1 regression(s)');
    expect(run.stdout).toContain('profanity-subject.eml verdict return, expected quarantine');
  });

  it('exits 0 against the baseline it saved itself, and a floor the scores meet', async () => {
    const saved = join(corpus, 'saved.json');
    expect(runCli(['eval', corpus, '--save-baseline', saved]).status).toBe(0);
    expect(JSON.parse(await readFile(saved, 'utf8'))).toEqual({
      categories: { 'language/profanity': { precision: 1, recall: 1 } },
      verdictMismatches: ['profanity-subject.eml'],
    });
    const run = runCli(['eval', corpus, '--min', saved]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('gate: no regression');
    expect(runCli(['eval', corpus, '--min', '0.5']).status).toBe(0);
    expect(runCli(['eval', corpus, '--min', '0.9']).status).toBe(1);
  });

  it('exits 2 on a baseline it cannot read', () => {
    const run = runCli(['eval', corpus, '--min', join(corpus, 'no-such-baseline.json')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no-such-baseline\.json: not a readable JSON baseline/);
  });

  it('documents --min in its --help', () => {
    const run = runCli(['eval', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--min BASELINE.json');
  });
});
