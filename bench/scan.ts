/**
 * `npm run bench:scan`: messages per second and p50/p99 latency of a full scan (parse, detect,
 * decide) of a 20 KB message with rosters of 100, 10,000 and 100,000 pupils, compared as ratios
 * in one run; then the peak RSS of scanning a message with a 25 MB attachment, in a fresh process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadDetectors } from '../src/detect/registry.js';
import { DEFAULT_RULES_DIRECTORY } from '../src/package-root.js';
import { loadRuleSet } from '../src/policy/load-rules.js';
import { buildDirectory } from '../src/roster/directory.js';
import { scanMessage } from '../src/scan/scan-message.js';
import type { School } from '../src/scan/school.js';
import { composeMessage, twentyKilobyteBody } from './messages.js';
import { syntheticPupils } from './synthetic-school.js';

const ROSTER_SIZES = [100, 10_000, 100_000];
const WARM_UP = 300;
const RUNS = 1_000;

async function main(): Promise<void> {
  const detectors = await loadDetectors(DEFAULT_RULES_DIRECTORY);
  const ruleSet = await loadRuleSet(DEFAULT_RULES_DIRECTORY);
  const pupils = syntheticPupils(Math.max(...ROSTER_SIZES));
  const message = await composeMessage(twentyKilobyteBody(pupils.slice(0, 5)), []);
  console.log(`full scan of a ${(message.length / 1024).toFixed(1)} KB message, ${RUNS} runs after ${WARM_UP} warm-up`);
  console.log('roster     msg/s    p50 ms   p99 ms   build ms');
  const p50s: number[] = [];
  for (const size of ROSTER_SIZES) {
    const buildStart = performance.now();
    const directory = buildDirectory(pupils.slice(0, size), []);
    const buildMillis = performance.now() - buildStart;
    const school: School = { id: 'bench', domains: ['school.example.sch.uk'], directory, ruleSet, staffGroups: new Map() };
    const envelope = { mailFrom: 'teacher@school.example.sch.uk', rcptTo: ['someone@example.org'] };
    for (let run = 0; run < WARM_UP; run += 1) await scanMessage(message, school, detectors, envelope);
    const latencies: number[] = [];
    const started = performance.now();
    for (let run = 0; run < RUNS; run += 1) {
      const start = performance.now();
      await scanMessage(message, school, detectors, envelope);
      latencies.push(performance.now() - start);
    }
    const elapsed = performance.now() - started;
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 0.5);
    p50s.push(p50);
    console.log(
      `${String(size).padStart(7)}  ${(RUNS / (elapsed / 1000)).toFixed(0).padStart(7)}  ${p50.toFixed(2).padStart(7)}  ${percentile(latencies, 0.99).toFixed(2).padStart(7)}  ${buildMillis.toFixed(0).padStart(8)}`,
    );
  }
  console.log(`p50 ratio 100,000 / 100 pupils: ${(p50s[p50s.length - 1]! / p50s[0]!).toFixed(2)} (target ≤ 1.2)`);
  console.log(await peakRssWithLargeAttachment());
}

const LARGE_ATTACHMENT_BYTES = 25 * 1024 * 1024;

/** Writes a message with a 25 MB CSV attachment and scans it in a fresh process. */
async function peakRssWithLargeAttachment(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'hm-bench-'));
  try {
    const file = join(folder, 'large.eml');
    const line = 'Forename,Surname,Note\nAmara,Adeyemi,Lorem ipsum dolor sit amet consectetur\n';
    const csv = Buffer.from(line.repeat(Math.ceil(LARGE_ATTACHMENT_BYTES / line.length)).slice(0, LARGE_ATTACHMENT_BYTES));
    await writeFile(file, await composeMessage('Please see the attached export.', [{ filename: 'export.csv', content: csv, contentType: 'text/csv' }]));
    const script = fileURLToPath(new URL('./scan-large-attachment.js', import.meta.url));
    return execFileSync(process.execPath, [script, file], { encoding: 'utf8' }).trim();
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

await main();
