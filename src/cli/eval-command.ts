import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadLabels } from '../eval/labels.js';
import { formatReport, scoreCorpus, type ScanOutcome } from '../eval/score.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { loadTenants } from '../scan/tenants.js';
import { scanFile, SCHOOL_OPTIONS, schoolSourcesFromFlags } from './scan-command.js';
import { toReportJson } from './scan-report.js';
import { UsageError } from './usage-error.js';

export const USAGE = 'hallmonitor eval [CORPUS_DIR] [--config FILE] [--roster F] [--staff F] [--domain D ...] [--rules DIR]';

const FIXTURE_SCHOOL = join(PACKAGE_ROOT, 'fixtures/school.yaml');

/**
 * `hallmonitor eval [CORPUS]`: scans every labelled message of a corpus as `scan` would and prints
 * precision and recall per finding category and the verdict agreement. Defaults to the fixture school
 * (`fixtures/school.yaml`).
 */
export async function runEval(args: readonly string[], write: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { ...SCHOOL_OPTIONS, config: { type: 'string', default: FIXTURE_SCHOOL } },
  });
  if (positionals.length > 1) throw new UsageError(`usage: ${USAGE}`);
  const corpus = positionals[0] ?? join(PACKAGE_ROOT, 'fixtures/corpus');
  const labels = await loadLabels(join(corpus, 'labels.yaml'));
  const tenants = await loadTenants(await schoolSourcesFromFlags(values));
  const outcomes = new Map<string, ScanOutcome>();
  for (const label of labels) {
    const envelope = { ...(label.envelope?.from ? { mailFrom: label.envelope.from } : {}), ...(label.envelope?.rcpt ? { rcptTo: label.envelope.rcpt } : {}) };
    outcomes.set(label.file, toReportJson(label.file, await scanFile(join(corpus, label.file), tenants, envelope)));
  }
  write(formatReport(scoreCorpus(labels, outcomes)));
  return 0;
}
