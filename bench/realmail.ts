/**
 * `npm run bench:realmail`: scans the real-mail corpus (bench/realmail-corpus.ts) as staff mail from
 * the school (`school.sch.uk`) to an outside organisation, as
 * `hallmonitor scan --json --domain school.sch.uk --rcpt someone@example.org` does, and prints the
 * verdicts, the crashes, the messages stopped against their judgement, and the per-message time.
 *
 *   --manifest        rewrite fixtures/realmail/manifest.json from the mirrors as they are now
 *   --report FILE     also write one JSON line per message (verdict, rules, findings) for judging
 *   --unhurried       the regression test's time limits, so verdicts do not depend on the machine's load
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { toReportJson } from '../src/cli/scan-report.js';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { listCorpus, MANIFEST_PATH, mirrorsPresent, readManifest } from './realmail-corpus.js';
import { judgeCorpus, readJudgements, scanCorpus, UNHURRIED_LIMITS, type CorpusOutcome } from './realmail-scan.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { manifest: { type: 'boolean', default: false }, report: { type: 'string' }, unhurried: { type: 'boolean', default: false } } });
  if (values.manifest) {
    const entries = listCorpus();
    await writeFile(join(PACKAGE_ROOT, MANIFEST_PATH), `[\n${entries.map((entry) => JSON.stringify(entry)).join(',\n')}\n]\n`);
    console.log(`${entries.length} messages listed in ${MANIFEST_PATH}`);
    return;
  }
  const entries = await readManifest(PACKAGE_ROOT);
  if (!mirrorsPresent(entries)) throw new Error('the mirrors the manifest names are not all here (see docs/benchmarks.md, "Real mail")');
  const outcomes = await scanCorpus(entries, values.unhurried ? UNHURRIED_LIMITS : {});
  if (values.report) await writeReport(values.report, outcomes);
  const summary = judgeCorpus(outcomes, await readJudgements(PACKAGE_ROOT));
  const millis = outcomes.map((outcome) => outcome.millis).sort((a, b) => a - b);
  const cpu = outcomes.map((outcome) => outcome.cpuMillis).sort((a, b) => a - b);
  const textOnly = outcomes.filter((outcome) => !outcome.result?.view.pieces.some((piece) => 'ocr' in piece.location));
  const textOnlyMillis = textOnly.map((outcome) => outcome.millis).sort((a, b) => a - b);
  const byAction = new Map<string, number>();
  for (const outcome of outcomes) byAction.set(outcome.action, (byAction.get(outcome.action) ?? 0) + 1);
  console.log(`${outcomes.length} messages from ${new Set(entries.map((entry) => entry.repo)).size} repositories`);
  console.log(`verdicts: ${[...byAction].map(([action, count]) => `${action} ${count}`).join(', ')}`);
  console.log(`crashes: ${summary.crashes.length}${summary.crashes.map((id) => `\n  ${id}`).join('')}`);
  console.log(`ordinary messages: ${summary.ordinary}; stopped wrongly: ${summary.wronglyStopped.length} (${percent(summary.wronglyStopped.length, summary.ordinary)})`);
  console.log(`judged stops still stopped: ${summary.rightlyStopped} of ${summary.rightlyStopped + summary.missedStops.length}`);
  console.log(`verdicts that differ from their judgement: ${summary.mismatches.length}${summary.mismatches.map((line) => `\n  ${line}`).join('')}`);
  console.log(`per-message scan ms, wall: p50 ${pick(millis, 0.5)}  p95 ${pick(millis, 0.95)}  p99 ${pick(millis, 0.99)}  max ${pick(millis, 1)}`);
  console.log(`per-message scan ms, CPU:  p50 ${pick(cpu, 0.5)}  p95 ${pick(cpu, 0.95)}  p99 ${pick(cpu, 0.99)}  max ${pick(cpu, 1)}`);
  console.log(`without OCR text (${textOnly.length}), wall: p50 ${pick(textOnlyMillis, 0.5)}  p95 ${pick(textOnlyMillis, 0.95)}  p99 ${pick(textOnlyMillis, 0.99)}`);
  console.log(
    `load average at the end: ${loadavg()
      .map((value) => value.toFixed(1))
      .join(' ')}`,
  );
  const slowest = [...outcomes].sort((a, b) => b.millis - a.millis).slice(0, 5);
  console.log(`slowest: ${slowest.map((outcome) => `\n  ${outcome.millis.toFixed(0)} ms ${outcome.entry.id}`).join('')}`);
}

async function writeReport(file: string, outcomes: readonly CorpusOutcome[]): Promise<void> {
  const lines = outcomes.map((outcome) =>
    JSON.stringify(
      outcome.result
        ? { ...toReportJson(outcome.entry.id, outcome.result), millis: Math.round(outcome.millis), cpuMillis: Math.round(outcome.cpuMillis) }
        : { file: outcome.entry.id, crash: outcome.error },
    ),
  );
  await writeFile(file, `${lines.join('\n')}\n`);
}

function percent(part: number, whole: number): string {
  return `${whole === 0 ? 0 : ((100 * part) / whole).toFixed(2)} %`;
}

function pick(sorted: readonly number[], fraction: number): string {
  return (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0).toFixed(1);
}

await main();
