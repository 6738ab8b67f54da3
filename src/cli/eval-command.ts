import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { baselineOf, loadMinimum, regressions } from '../eval/baseline.js';
import { loadLabels } from '../eval/labels.js';
import { formatReport, scoreCorpus, type EvalReport, type ScanOutcome } from '../eval/score.js';
import type { MessageLimits } from '../message/limits.js';
import { PACKAGE_ROOT } from '../package-root.js';
import type { ScanResult } from '../scan/scan-message.js';
import { loadTenants, type Tenants } from '../scan/tenants.js';
import { scanSource, SCHOOL_OPTIONS, schoolSourcesFromFlags } from './scan-command.js';
import { toReportJson } from './scan-report.js';
import { UsageError } from './usage-error.js';

export const USAGE = 'hallmonitor eval [CORPUS_DIR] [--config FILE] [--roster F] [--staff F] [--domain D ...] [--rules DIR] [--min BASELINE.json|0.95] [--save-baseline FILE]';

export const HELP = [
  `usage: ${USAGE}`,
  'Scans every message labelled in CORPUS_DIR/labels.yaml (default fixtures/corpus, with the fixture school',
  'fixtures/school.yaml) and prints precision and recall per finding category, the verdict agreement, and every',
  'miss and false alarm. It prints matched text: run it on invented mail only.',
  "  --min BASELINE.json   exit 1, listing each regression, when a category's precision or recall falls below the",
  "                        baseline's or a verdict disagrees that the baseline does not list (fixtures/corpus/baseline.json)",
  '  --min 0.95            the same against one floor for every precision, recall and the verdict agreement',
  "  --save-baseline FILE  write this run's scores as a baseline (review the diff before committing it)",
  'Time limits on reading attachments and OCR are lifted, so the scores do not depend on how busy the machine is.',
];

const FIXTURE_SCHOOL = join(PACKAGE_ROOT, 'fixtures/school.yaml');
export const FIXTURE_CORPUS = join(PACKAGE_ROOT, 'fixtures/corpus');

/** Accuracy must not depend on the machine's load: no attachment or OCR is cut short by time. */
const UNTIMED: Partial<MessageLimits> = { maxExtractMillis: 600_000, maxMessageMillis: 600_000, maxOcrMillis: 600_000 };

/** What the scanner made of each labelled file of a corpus, and the score. */
export interface CorpusEvaluation {
  readonly results: ReadonlyMap<string, ScanResult>;
  readonly report: EvalReport;
}

/** Scans every labelled message of `corpus` as `scan` would (envelope from the labels where given) and scores it. */
export async function evaluateCorpus(corpus: string, tenants: Tenants): Promise<CorpusEvaluation> {
  const labels = await loadLabels(join(corpus, 'labels.yaml'));
  const results = new Map<string, ScanResult>();
  const outcomes = new Map<string, ScanOutcome>();
  for (const label of labels) {
    const envelope = { ...(label.envelope?.from ? { mailFrom: label.envelope.from } : {}), ...(label.envelope?.rcpt ? { rcptTo: label.envelope.rcpt } : {}) };
    const result = await scanSource(await readFile(join(corpus, label.file)), tenants, envelope, UNTIMED);
    results.set(label.file, result);
    outcomes.set(label.file, toReportJson(label.file, result));
  }
  return { results, report: scoreCorpus(labels, outcomes) };
}

/** `hallmonitor eval [CORPUS]`: the score table; with `--min`, a gate that exits 1 on a regression. */
export async function runEval(args: readonly string[], write: (line: string) => void): Promise<number> {
  const { values, positionals } = parseOptions(args);
  if (positionals.length > 1) throw new UsageError(`usage: ${USAGE}`);
  const minimum = values.min === undefined ? undefined : await loadMinimum(values.min);
  const tenants = await loadTenants(await schoolSourcesFromFlags(values));
  const { report } = await evaluateCorpus(positionals[0] ?? FIXTURE_CORPUS, tenants);
  write(formatReport(report));
  if (values['save-baseline']) await writeFile(values['save-baseline'], `${JSON.stringify(baselineOf(report), null, 2)}\n`);
  if (minimum === undefined) return 0;
  const below = regressions(report, minimum);
  write(below.length === 0 ? `gate: no regression against --min ${values.min}` : `gate: ${below.length} regression(s) against --min ${values.min}:`);
  for (const line of below) write(`  ${line}`);
  return below.length === 0 ? 0 : 1;
}

function parseOptions(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { ...SCHOOL_OPTIONS, config: { type: 'string', default: FIXTURE_SCHOOL }, min: { type: 'string' }, 'save-baseline': { type: 'string' } },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${USAGE}`);
  }
}
