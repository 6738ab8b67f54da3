import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateCorpus, FIXTURE_CORPUS, type CorpusEvaluation } from '../../src/cli/eval-command.js';
import { schoolSourcesFromFlags } from '../../src/cli/scan-command.js';
import { DETECTORS } from '../../src/detect/registry.js';
import { loadMinimum, regressions } from '../../src/eval/baseline.js';
import { loadTenants } from '../../src/scan/tenants.js';

let evaluation: CorpusEvaluation;

beforeAll(async () => {
  const tenants = await loadTenants(await schoolSourcesFromFlags({ config: 'fixtures/school.yaml' }));
  evaluation = await evaluateCorpus(FIXTURE_CORPUS, tenants);
}, 300_000);

describe('the labelled corpus (fixtures/corpus) as a gate', () => {
  it("keeps every category's precision and recall, and every verdict, at least at fixtures/corpus/baseline.json", async () => {
    const minimum = await loadMinimum(join(FIXTURE_CORPUS, 'baseline.json'));
    expect(regressions(evaluation.report, minimum)).toEqual([]);
  });

  it('gets only findings of categories their detector declares', () => {
    const declared = new Map(DETECTORS.map((detector) => [detector.name, new Set<string>(detector.categories)]));
    const undeclared = [...evaluation.results.values()]
      .flatMap((result) => result.findings)
      .filter((finding) => !declared.get(finding.detector)?.has(finding.category))
      .map((finding) => `${finding.detector}: ${finding.category}`);
    expect(undeclared).toEqual([]);
    expect(evaluation.report.overall.truePositives).toBeGreaterThan(300);
  });
});
