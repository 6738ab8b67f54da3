import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadLabels } from '../eval/labels.js';
import { formatReport, scoreCorpus, type ScanOutcome } from '../eval/score.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { loadSchool } from './load-school.js';
import { scanFile } from './scan-command.js';
import { toReportJson } from './scan-report.js';
import { UsageError } from './usage-error.js';

const FIXTURE_SCHOOL = {
  roster: join(PACKAGE_ROOT, 'fixtures/roster/pupils.csv'),
  staff: join(PACKAGE_ROOT, 'fixtures/roster/staff.csv'),
  domain: 'stmarys-example.sch.uk',
};

/**
 * `hallmonitor eval [CORPUS]`: scans every labelled message of a corpus as `scan` would and prints
 * precision and recall per finding category and the verdict agreement. Defaults to the fixture school.
 */
export async function runEval(args: readonly string[], write: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      roster: { type: 'string', default: FIXTURE_SCHOOL.roster },
      staff: { type: 'string', default: FIXTURE_SCHOOL.staff },
      domain: { type: 'string', multiple: true, default: [FIXTURE_SCHOOL.domain] },
      rules: { type: 'string' },
    },
  });
  if (positionals.length > 1) throw new UsageError('usage: hallmonitor eval [CORPUS_DIR] [--roster F] [--staff F] [--domain D ...] [--rules DIR]');
  const corpus = positionals[0] ?? join(PACKAGE_ROOT, 'fixtures/corpus');
  const labels = await loadLabels(join(corpus, 'labels.yaml'));
  const loaded = await loadSchool({ rosterPath: values.roster, staffPath: values.staff, domains: values.domain, rulesDirectory: values.rules });
  const outcomes = new Map<string, ScanOutcome>();
  for (const label of labels) {
    const envelope = { ...(label.envelope?.from ? { mailFrom: label.envelope.from } : {}), ...(label.envelope?.rcpt ? { rcptTo: label.envelope.rcpt } : {}) };
    outcomes.set(label.file, toReportJson(label.file, await scanFile(join(corpus, label.file), loaded, envelope)));
  }
  write(formatReport(scoreCorpus(labels, outcomes)));
  return 0;
}
