/**
 * The corpus gate: what an evaluation must reach at least. A baseline (fixtures/corpus/baseline.json)
 * holds each category's precision and recall and the files whose verdict is known to disagree with
 * their label; a floor (`--min 0.95`) asks every category and the verdict agreement for at least that.
 * A regression is anything below; the evaluation itself is not changed by the gate.
 */
import { HallmonitorError } from '../errors/hallmonitor-error.js';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { EvalReport } from './score.js';

const scoreSchema = z.strictObject({ precision: z.number().min(0).max(1), recall: z.number().min(0).max(1) });

export const baselineSchema = z.strictObject({
  /** Category → the least precision and recall it must keep; a category not listed must reach 1. */
  categories: z.record(z.string(), scoreSchema),
  /** Files whose verdict may disagree with their label (known, accepted misses); every other must agree. */
  verdictMismatches: z.array(z.string()),
});
export type Baseline = z.output<typeof baselineSchema>;

/** What `--min` was given: a baseline file, or one floor for every score. */
export type Minimum = { readonly baseline: Baseline } | { readonly floor: number };

/** The report's scores as a baseline, rounded down to three places so that the same run always meets it. */
export function baselineOf(report: EvalReport): Baseline {
  const floor3 = (value: number): number => Math.floor(value * 1000) / 1000;
  return {
    categories: Object.fromEntries(report.categories.map((score) => [score.category, { precision: floor3(score.precision), recall: floor3(score.recall) }])),
    verdictMismatches: report.verdictAgreement.mismatches.map((mismatch) => mismatch.file).sort(),
  };
}

/** Every way the report falls below the minimum, one line each; empty when it meets it. */
export function regressions(report: EvalReport, minimum: Minimum): string[] {
  return 'floor' in minimum ? belowFloor(report, minimum.floor) : belowBaseline(report, minimum.baseline);
}

function belowBaseline(report: EvalReport, baseline: Baseline): string[] {
  const lines: string[] = [];
  for (const score of report.categories) {
    const least = baseline.categories[score.category] ?? { precision: 1, recall: 1 };
    for (const measure of ['precision', 'recall'] as const) {
      if (score[measure] < least[measure]) lines.push(`${score.category} ${measure} ${score[measure].toFixed(3)} is below the baseline's ${least[measure].toFixed(3)}`);
    }
  }
  const accepted = new Set(baseline.verdictMismatches);
  for (const mismatch of report.verdictAgreement.mismatches) {
    if (!accepted.has(mismatch.file)) lines.push(`${mismatch.file} verdict ${mismatch.actual}, expected ${mismatch.expected.join(' or ')}`);
  }
  return lines;
}

function belowFloor(report: EvalReport, floor: number): string[] {
  const lines = report.categories.flatMap((score) =>
    (['precision', 'recall'] as const).filter((measure) => score[measure] < floor).map((measure) => `${score.category} ${measure} ${score[measure].toFixed(3)} is below ${floor}`),
  );
  const { correct, total } = report.verdictAgreement;
  if (total > 0 && correct / total < floor) lines.push(`verdict agreement ${correct}/${total} is below ${floor}`);
  return lines;
}

/** `--min` takes a number from 0 to 1 (a floor) or the path of a baseline file. */
export async function loadMinimum(argument: string): Promise<Minimum> {
  if (/^(?:0(?:\.\d+)?|1(?:\.0+)?|\.\d+)$/.test(argument)) return { floor: Number(argument) };
  let document: unknown;
  try {
    document = JSON.parse(await readFile(argument, 'utf8'));
  } catch (error) {
    throw new BaselineError(`${argument}: not a readable JSON baseline (${(error as Error).message.split('\n')[0]})`);
  }
  const parsed = baselineSchema.safeParse(document);
  if (parsed.success) return { baseline: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new BaselineError(`${argument}: ${field}${issue?.message ?? 'not a baseline'}`);
}

/** The baseline file cannot be used; the gate will not run on half a baseline. */
export class BaselineError extends HallmonitorError {
  readonly code = 'config-invalid';
  readonly disposition = 'configuration';
  override readonly name = 'BaselineError';
}
