import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { loadLabels } from '../../src/eval/labels.js';
import { formatReport, normaliseMatch, NOT_SCANNED, scoreCorpus, type ActualFinding, type CategoryScore, type LabelledMessage, type ScanOutcome } from '../../src/eval/score.js';

const CORPUS = 'fixtures/corpus';

function found(category: string, part: string, match: string, extra: { name?: string; pupilId?: string } = {}): ActualFinding {
  return { category, location: extra.name === undefined ? { part } : { part, name: extra.name }, match, ...(extra.pupilId ? { pupilId: extra.pupilId } : {}) };
}

function outcome(action: string, ...findings: ActualFinding[]): ScanOutcome {
  return { findings, verdict: { action } };
}

function scoreOf(categories: readonly CategoryScore[], category: string): CategoryScore | undefined {
  return categories.find((c) => c.category === category);
}

const kwameSubject: LabelledMessage = {
  file: 'a.eml',
  expect: [{ category: 'pupil-name', part: 'subject', match: 'Kwame Mensah', pupilId: 'P1' }],
  verdict: ['return', 'quarantine'],
};

describe('normaliseMatch', () => {
  it('folds case, collapses whitespace and treats every apostrophe alike', () => {
    expect(normaliseMatch('  O’CONNOR,\n  Ciarán ')).toBe(normaliseMatch("o'connor, ciarán"));
    expect(normaliseMatch('Grace\r\nGreen')).toBe('grace green');
  });

  it('drops a leading title and a trailing possessive, which do not change who was found', () => {
    expect(normaliseMatch('Dr Priya Raman')).toBe('priya raman');
    expect(normaliseMatch('Mrs. Claire Wood')).toBe('claire wood');
    expect(normaliseMatch('Hope Young’s')).toBe('hope young');
    expect(normaliseMatch("Harriet Jones'")).toBe('harriet jones');
  });

  it('keeps distinctions that matter', () => {
    expect(normaliseMatch('Zoë Lambert')).not.toBe(normaliseMatch('Zoe Lambert'));
    expect(normaliseMatch('Drew Barker')).toBe('drew barker');
  });
});

describe('scoreCorpus', () => {
  it('scores a perfect scan as precision and recall 1 with the verdict agreed', () => {
    const report = scoreCorpus([kwameSubject], new Map([['a.eml', outcome('return', found('pupil-name', 'subject', 'Kwame Mensah', { pupilId: 'P1' }))]]));
    expect(report.categories).toEqual([{ category: 'pupil-name', truePositives: 1, falsePositives: 0, falseNegatives: 0, precision: 1, recall: 1 }]);
    expect(report.verdictAgreement).toEqual({ correct: 1, total: 1, mismatches: [] });
    expect(report.misses).toEqual([]);
    expect(report.falseAlarms).toEqual([]);
  });

  it('counts a finding reported several times, in several spellings, once', () => {
    const report = scoreCorpus(
      [kwameSubject],
      new Map([
        [
          'a.eml',
          outcome(
            'quarantine',
            found('pupil-name', 'subject', 'Kwame Mensah', { pupilId: 'P1' }),
            found('pupil-name', 'subject', 'KWAME  MENSAH', { pupilId: 'P1' }),
            found('pupil-name', 'subject', 'kwame mensah', { pupilId: 'P1' }),
          ),
        ],
      ]),
    );
    expect(scoreOf(report.categories, 'pupil-name')).toMatchObject({ truePositives: 1, falsePositives: 0, falseNegatives: 0 });
  });

  it('matches across case, line breaks, apostrophes, titles and possessives', () => {
    const labels: LabelledMessage[] = [
      {
        file: 'b.eml',
        expect: [
          { category: 'pupil-name', part: 'body', match: "Hope Young's", pupilId: 'P2' },
          { category: 'pupil-name', part: 'body', match: 'O’Connor, Ciarán', pupilId: 'P3' },
          { category: 'person-name', part: 'body', match: 'Priya Raman' },
        ],
        verdict: 'deliver',
      },
    ];
    const report = scoreCorpus(
      labels,
      new Map([
        [
          'b.eml',
          outcome(
            'deliver',
            found('pupil-name', 'body', 'HOPE\nYOUNG', { pupilId: 'P2' }),
            found('pupil-name', 'body', "O'CONNOR, Ciarán", { pupilId: 'P3' }),
            found('person-name', 'body', 'Dr Priya Raman'),
          ),
        ],
      ]),
    );
    expect(report.overall).toMatchObject({ truePositives: 3, falsePositives: 0, falseNegatives: 0 });
  });

  it('counts the wrong part, attachment or pupil as one miss and one false alarm', () => {
    const labels: LabelledMessage[] = [
      {
        file: 'c.eml',
        expect: [
          { category: 'pupil-name', part: 'subject', match: 'Kwame Mensah', pupilId: 'P1' },
          { category: 'sensitive/sen', part: 'attachment', name: 'notes.docx', match: 'autism' },
          { category: 'pupil-name', part: 'body', match: 'Will Brown', pupilId: 'P4' },
        ],
        verdict: 'encrypt',
      },
    ];
    const report = scoreCorpus(
      labels,
      new Map([
        [
          'c.eml',
          outcome(
            'encrypt',
            found('pupil-name', 'body', 'Kwame Mensah', { pupilId: 'P1' }),
            found('sensitive/sen', 'attachment', 'autism', { name: 'other.docx' }),
            found('pupil-name', 'body', 'Will Brown', { pupilId: 'P5' }),
          ),
        ],
      ]),
    );
    expect(scoreOf(report.categories, 'pupil-name')).toMatchObject({ truePositives: 0, falsePositives: 2, falseNegatives: 2, precision: 0, recall: 0 });
    expect(scoreOf(report.categories, 'sensitive/sen')).toMatchObject({ truePositives: 0, falsePositives: 1, falseNegatives: 1 });
    expect(report.misses).toContainEqual({ file: 'c.eml', category: 'sensitive/sen', part: 'attachment', name: 'notes.docx', match: 'autism' });
    expect(report.falseAlarms).toContainEqual({ file: 'c.eml', category: 'sensitive/sen', part: 'attachment', name: 'other.docx', match: 'autism' });
  });

  it('ignores the reported pupil id where the label gives none', () => {
    const labels: LabelledMessage[] = [{ file: 'd.eml', expect: [{ category: 'person-name', part: 'body', match: 'Dana Whitlock' }], verdict: 'deliver' }];
    const report = scoreCorpus(labels, new Map([['d.eml', outcome('deliver', found('person-name', 'body', 'Dana Whitlock', { pupilId: 'X' }))]]));
    expect(report.overall.truePositives).toBe(1);
  });

  it('lets a label without match be met by any text, however many findings there are', () => {
    const labels: LabelledMessage[] = [
      {
        file: 'e.eml',
        expect: [
          { category: 'personal-data/bank-account', part: 'body' },
          { category: 'attachment/executable', part: 'attachment', name: 'invoice.pdf' },
        ],
        verdict: ['quarantine', 'return'],
      },
    ];
    const report = scoreCorpus(
      labels,
      new Map([
        [
          'e.eml',
          outcome(
            'quarantine',
            found('personal-data/bank-account', 'body', '40-12-34'),
            found('personal-data/bank-account', 'body', '31926819'),
            found('attachment/executable', 'attachment', 'invoice.pdf', { name: 'invoice.pdf' }),
          ),
        ],
      ]),
    );
    expect(report.overall).toMatchObject({ truePositives: 2, falsePositives: 0, falseNegatives: 0 });
  });

  it('counts false alarms against precision in their own category', () => {
    const labels: LabelledMessage[] = [{ file: 'f.eml', expect: [{ category: 'language/profanity', part: 'body', match: 'bollocks' }], verdict: 'return' }];
    const report = scoreCorpus(
      labels,
      new Map([
        [
          'f.eml',
          outcome(
            'return',
            found('language/profanity', 'body', 'bollocks'),
            found('language/profanity', 'body', 'Scunthorpe'),
            found('language/profanity', 'body', 'cocktail'),
            found('language/profanity', 'body', 'assessment'),
          ),
        ],
      ]),
    );
    expect(scoreOf(report.categories, 'language/profanity')).toEqual({
      category: 'language/profanity',
      truePositives: 1,
      falsePositives: 3,
      falseNegatives: 0,
      precision: 0.25,
      recall: 1,
    });
  });

  it('defines precision and recall as 1 when their denominator is 0', () => {
    const clean: LabelledMessage = { file: 'g.eml', expect: [], verdict: 'deliver' };
    const quiet = scoreCorpus(
      [kwameSubject, clean],
      new Map([
        ['a.eml', outcome('deliver')],
        ['g.eml', outcome('deliver')],
      ]),
    );
    expect(scoreOf(quiet.categories, 'pupil-name')).toMatchObject({ truePositives: 0, falsePositives: 0, falseNegatives: 1, precision: 1, recall: 0 });
    const noisy = scoreCorpus([clean], new Map([['g.eml', outcome('deliver', found('person-name', 'body', 'Kew Gardens'))]]));
    expect(scoreOf(noisy.categories, 'person-name')).toMatchObject({ truePositives: 0, falsePositives: 1, falseNegatives: 0, precision: 0, recall: 1 });
    const empty = scoreCorpus([clean], new Map([['g.eml', outcome('deliver')]]));
    expect(empty.categories).toEqual([]);
    expect(empty.overall).toMatchObject({ precision: 1, recall: 1 });
  });

  it('accepts any listed verdict and reports the others, including files that were not scanned', () => {
    const labels: LabelledMessage[] = [
      kwameSubject,
      { file: 'h.eml', expect: [], verdict: 'deliver' },
      { file: 'i.eml', expect: [{ category: 'content/chain-letter', part: 'body' }], verdict: 'return' },
    ];
    const report = scoreCorpus(
      labels,
      new Map([
        ['a.eml', outcome('quarantine', found('pupil-name', 'subject', 'Kwame Mensah', { pupilId: 'P1' }))],
        ['h.eml', outcome('encrypt')],
      ]),
    );
    expect(report.verdictAgreement.correct).toBe(1);
    expect(report.verdictAgreement.total).toBe(3);
    expect(report.verdictAgreement.mismatches).toEqual([
      { file: 'h.eml', expected: ['deliver'], actual: 'encrypt' },
      { file: 'i.eml', expected: ['return'], actual: NOT_SCANNED },
    ]);
    expect(report.misses).toEqual([{ file: 'i.eml', category: 'content/chain-letter', part: 'body' }]);
  });

  it('sums every category into the overall row and orders categories as docs/architecture.md does', () => {
    const labels: LabelledMessage[] = [
      {
        file: 'j.eml',
        expect: [
          { category: 'sensitive/health', part: 'body', match: 'asthma' },
          { category: 'pupil-name', part: 'body', match: 'Hope Young', pupilId: 'P2' },
        ],
        verdict: 'encrypt',
      },
    ];
    const report = scoreCorpus(labels, new Map([['j.eml', outcome('encrypt', found('sensitive/health', 'body', 'asthma'), found('language/slur', 'subject', 'x'))]]));
    expect(report.categories.map((c) => c.category)).toEqual(['pupil-name', 'sensitive/health', 'language/slur']);
    expect(report.overall).toMatchObject({ category: 'all', truePositives: 1, falsePositives: 1, falseNegatives: 1, precision: 0.5, recall: 0.5 });
  });
});

describe('formatReport', () => {
  const labels: LabelledMessage[] = [
    { file: 'k.eml', expect: [{ category: 'sensitive/sen', part: 'attachment', name: 'notes.docx', match: 'autism' }], verdict: ['encrypt', 'quarantine'] },
    { file: 'l.eml', expect: [{ category: 'attachment/unscannable', part: 'attachment', name: 'minutes.pdf' }], verdict: 'quarantine' },
  ];
  const report = scoreCorpus(
    labels,
    new Map([
      ['k.eml', outcome('deliver', found('person-name', 'body', 'Kew Gardens'))],
      ['l.eml', outcome('quarantine', found('attachment/unscannable', 'attachment', 'minutes.pdf', { name: 'minutes.pdf' }))],
    ]),
  );
  const text = formatReport(report);

  it('prints one table row per category and an overall row', () => {
    expect(text).toMatch(/^category\s+TP\s+FP\s+FN\s+precision\s+recall$/m);
    expect(text).toMatch(/^person-name\s+0\s+1\s+0\s+0\.000\s+1\.000$/m);
    expect(text).toMatch(/^sensitive\/sen\s+0\s+0\s+1\s+1\.000\s+0\.000$/m);
    expect(text).toMatch(/^attachment\/unscannable\s+1\s+0\s+0\s+1\.000\s+1\.000$/m);
    expect(text).toMatch(/^all\s+1\s+1\s+1\s+0\.500\s+0\.500$/m);
    expect(text).toContain('precision is 1.000 when nothing was reported');
  });

  it('lists verdict mismatches, misses and false alarms by file, category, part and text', () => {
    expect(text).toContain('verdicts: 1/2 agree');
    expect(text).toContain('k.eml  expected encrypt or quarantine, got deliver');
    expect(text).toContain('misses (1):\n  k.eml  sensitive/sen  attachment "notes.docx"  "autism"');
    expect(text).toContain('false alarms (1):\n  k.eml  person-name  body  "Kew Gardens"');
  });
});

/** Files in the corpus folder that people write: what it is, and the scores the corpus gate holds it to. */
const NOT_GENERATED = new Set(['README.md', 'baseline.json']);

describe('the labelled corpus', () => {
  it('labels every .eml file in fixtures/corpus, and nothing else', async () => {
    const labels = await loadLabels(join(CORPUS, 'labels.yaml'));
    const files = (await readdir(CORPUS)).filter((f) => f.endsWith('.eml')).sort();
    expect(labels.map((l) => l.file).sort()).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(60);
    expect(labels.filter((l) => l.expect.length === 0 && l.verdict === 'deliver').length).toBeGreaterThanOrEqual(15);
  });

  it('gives only pupil ids that are on the roster', async () => {
    const labels = await loadLabels(join(CORPUS, 'labels.yaml'));
    const roster = parseCsv(await readFile('fixtures/roster/pupils.csv'), { columns: true }) as Record<string, string>[];
    const upns = new Set(roster.map((p) => p.UPN));
    const findings = labels.flatMap((l) => l.expect);
    for (const f of findings) {
      if (f.pupilId !== undefined) expect(upns, `${f.category} ${f.match ?? ''}`).toContain(f.pupilId);
    }
    expect(new Set(findings.map((f) => f.category)).size).toBeGreaterThanOrEqual(25);
  });

  it('is exactly what fixtures/make-corpus.mjs generates', async () => {
    const out = await mkdtemp(join(tmpdir(), 'hallmonitor-corpus-'));
    try {
      await promisify(execFile)(process.execPath, ['fixtures/make-corpus.mjs', out]);
      const generated = (await readdir(out)).sort();
      expect(generated).toEqual((await readdir(CORPUS)).filter((f) => !NOT_GENERATED.has(f)).sort());
      for (const file of generated) {
        expect((await readFile(join(out, file))).equals(await readFile(join(CORPUS, file))), file).toBe(true);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
