/**
 * Scanning the real-mail corpus and holding the verdicts against their judgements: one piece of code
 * for `npm run bench:realmail` and for the regression test (test/eval/realmail.test.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { scanSource, schoolSourcesFromFlags } from '../src/cli/scan-command.js';
import type { ScanResult } from '../src/scan/scan-message.js';
import { loadTenants } from '../src/scan/tenants.js';
import type { Action } from '../src/policy/verdict.js';
import type { MessageLimits } from '../src/message/read-message.js';
import { JUDGEMENTS_PATH, loadEntry, type CorpusEntry } from './realmail-corpus.js';

/** The school and envelope of every corpus scan: staff mail to an outside organisation. */
export const CORPUS_DOMAIN = 'school.sch.uk';
export const CORPUS_RECIPIENT = 'someone@example.org';

/**
 * A verdict judged by hand. Messages not judged are expected to be delivered and count as ordinary.
 * `right: false` records a known false alarm that is still there, so that the figure stays honest.
 */
export interface Judgement {
  readonly action: Action;
  readonly right: boolean;
  /** Mail a school might send or forward (not spam, not a parser's deliberately broken input). */
  readonly ordinary: boolean;
  readonly reason: string;
}

export interface CorpusOutcome {
  readonly entry: CorpusEntry;
  readonly action: Action | 'crash';
  readonly millis: number;
  /** CPU time of the whole process (every thread, OCR's included) during this scan: what other work on the machine does not inflate. */
  readonly cpuMillis: number;
  readonly result?: ScanResult;
  readonly error?: string;
}

export async function readJudgements(root: string): Promise<Map<string, Judgement>> {
  const raw = JSON.parse(await readFile(join(root, JUDGEMENTS_PATH), 'utf8')) as Record<string, Judgement>;
  return new Map(Object.entries(raw));
}

/**
 * Time limits for the regression test: a verdict must not depend on how busy the machine is (a
 * file read in 3 s on a quiet machine passes the 5 s limit on a loaded one). The bench keeps the defaults.
 */
export const UNHURRIED_LIMITS: Partial<MessageLimits> = { maxExtractMillis: 120_000, maxOcrMillis: 120_000, maxMessageMillis: 600_000 };

export async function scanCorpus(entries: readonly CorpusEntry[], limits: Partial<MessageLimits> = {}): Promise<CorpusOutcome[]> {
  const tenants = await loadTenants(await schoolSourcesFromFlags({ domain: [CORPUS_DOMAIN] }));
  const outcomes: CorpusOutcome[] = [];
  for (const entry of entries) {
    const message = await loadEntry(entry);
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const spent = () => {
      const cpu = process.cpuUsage(cpuStart);
      return { millis: performance.now() - start, cpuMillis: (cpu.user + cpu.system) / 1000 };
    };
    let outcome: CorpusOutcome;
    try {
      const result = await scanSource(message, tenants, { rcptTo: [CORPUS_RECIPIENT] }, limits);
      outcome = { entry, action: result.verdict.action, ...spent(), result };
    } catch (error) {
      outcome = { entry, action: 'crash', ...spent(), error: (error as Error).message.split('\n')[0] ?? '' };
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

export interface CorpusSummary {
  readonly crashes: readonly string[];
  readonly ordinary: number;
  /** Ordinary messages stopped (not delivered) where the judgement says that is wrong. */
  readonly wronglyStopped: readonly string[];
  readonly rightlyStopped: number;
  /** Messages judged rightly stopped that are now delivered. */
  readonly missedStops: readonly string[];
  /** `id: expected → actual`, for every verdict that is not its judgement (unjudged: deliver). */
  readonly mismatches: readonly string[];
}

export function judgeCorpus(outcomes: readonly CorpusOutcome[], judgements: ReadonlyMap<string, Judgement>): CorpusSummary {
  const crashes: string[] = [];
  const wronglyStopped: string[] = [];
  const missedStops: string[] = [];
  const mismatches: string[] = [];
  let ordinary = 0;
  let rightlyStopped = 0;
  for (const { entry, action } of outcomes) {
    const judgement = judgements.get(entry.id);
    if (action === 'crash') crashes.push(entry.id);
    if (judgement?.ordinary ?? true) ordinary += 1;
    const expected = judgement?.action ?? 'deliver';
    if (action !== expected) mismatches.push(`${entry.id}: ${expected} → ${action}`);
    if (judgement && judgement.right && judgement.action !== 'deliver') {
      if (action === 'deliver') missedStops.push(entry.id);
      else rightlyStopped += 1;
    }
    if (judgement && !judgement.right && (judgement.ordinary ?? true) && action !== 'deliver') wronglyStopped.push(entry.id);
  }
  return { crashes, ordinary, wronglyStopped, rightlyStopped, missedStops, mismatches };
}
