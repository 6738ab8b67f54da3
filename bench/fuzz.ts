/**
 * `npm run fuzz [COUNT] [FIRST_SEED]`: generated hostile MIME messages (bench/hostile-mime.ts) through the
 * scanning core as `serve` runs it (worker threads, the fixture school's roster and the default rules). Each
 * must get a verdict: a scan that throws is a crash, one that outlives the scan timeout a hang, and either
 * makes the run fail with the seeds to reproduce it. Prints verdicts, findings and timings.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createScanPool, ScanPoolError } from '../src/scan/scan-pool.js';
import { hostileMessage } from './hostile-mime.js';

const DEFAULT_COUNT = 10_000;
/** Well past the message time limit (src/message/limits.ts), so only a real hang reaches it. */
const HANG_MS = 60_000;

async function main(): Promise<number> {
  const count = Number(process.argv[2] ?? DEFAULT_COUNT);
  const firstSeed = Number(process.argv[3] ?? 1);
  const size = Math.max(1, availableParallelism() - 1);
  const pool = await createScanPool({
    schools: [{ id: 'fuzz', domains: ['stmarys-example.sch.uk'], rosterPath: resolve('fixtures/roster/pupils.csv'), staffPath: resolve('fixtures/roster/staff.csv') }],
    size,
    scanTimeoutMs: HANG_MS,
  });
  const verdicts = new Map<string, number>();
  const failures: { seed: number; code: string }[] = [];
  const millis: number[] = [];
  let bytes = 0;
  let findings = 0;
  let next = firstSeed;
  const started = performance.now();
  const envelope = { mailFrom: 'teacher@stmarys-example.sch.uk', rcptTo: ['parent@example.org'] };
  async function lane(): Promise<void> {
    while (next < firstSeed + count) {
      const seed = next;
      next += 1;
      const message = hostileMessage(seed);
      bytes += message.length;
      const begun = performance.now();
      try {
        const result = await pool.scan(message, envelope);
        verdicts.set(result.verdict.action, (verdicts.get(result.verdict.action) ?? 0) + 1);
        findings += result.findings.length;
      } catch (error) {
        failures.push({ seed, code: error instanceof ScanPoolError ? error.code : 'unknown' });
      }
      millis.push(performance.now() - begun);
    }
  }
  await Promise.all(Array.from({ length: size * 2 }, lane));
  await pool.close();
  const seconds = (performance.now() - started) / 1000;
  millis.sort((a, b) => a - b);
  const at = (q: number) => millis[Math.min(millis.length - 1, Math.floor(q * millis.length))]!.toFixed(1);
  console.log(`${count} hostile messages (seeds ${firstSeed}–${firstSeed + count - 1}), ${(bytes / 1024 / 1024).toFixed(1)} MB, ${size} scan worker(s), ${seconds.toFixed(1)} s`);
  console.log(`verdicts: ${[...verdicts].map(([action, n]) => `${action} ${n}`).join(', ')}; findings ${findings}`);
  console.log(`scan ms: p50 ${at(0.5)}, p99 ${at(0.99)}, max ${millis.at(-1)!.toFixed(1)}`);
  console.log(
    `crashes or hangs: ${failures.length}${
      failures.length
        ? ` — ${failures
            .slice(0, 20)
            .map((f) => `seed ${f.seed} (${f.code})`)
            .join(', ')}`
        : ''
    }`,
  );
  return failures.length === 0 && [...verdicts.values()].reduce((a, b) => a + b, 0) === count ? 0 : 1;
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
