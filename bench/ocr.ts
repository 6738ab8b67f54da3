/**
 * `npm run bench:ocr`: how long OCR takes for a 1280x800 screenshot of a class list
 * (fixtures/ocr/class-list-screenshot.png), p50 and p95, in one thread as a scan worker runs it;
 * the engine's one-off start; and a full scan of a message carrying the screenshot to an outside
 * address, against the same message with no image (which must not pay for OCR).
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readMessage } from '../src/message/read-message.js';
import { stopOcrEngine } from '../src/message/ocr-engine.js';
import { loadSchool } from '../src/scan/load-school.js';
import { scanMessage } from '../src/scan/scan-message.js';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { composeMessage } from './messages.js';

const WARM_UP = 3;
const RUNS = 40;
const DOMAIN = 'stmarys-example.sch.uk';
const ENVELOPE = { mailFrom: `teacher@${DOMAIN}`, rcptTo: ['coach@swim-club.example.org'] };

async function main(): Promise<void> {
  const screenshot = await readFile(resolve(PACKAGE_ROOT, 'fixtures/ocr/class-list-screenshot.png'));
  const withImage = await composeMessage('Register attached.', [{ filename: 'register.png', content: screenshot }]);
  const withoutImage = await composeMessage('Register attached.', []);
  const { school, detectors } = await loadSchool({ domains: [DOMAIN], rosterPath: resolve(PACKAGE_ROOT, 'fixtures/roster/pupils.csv') });
  console.log(`OCR of a 1280x800 screenshot, ${RUNS} runs after ${WARM_UP} warm-up; ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} at start`);

  const startAt = performance.now();
  await readMessage(withImage, {}, { readImages: () => true });
  console.log(`engine start and first image: ${(performance.now() - startAt).toFixed(0)} ms`);
  for (let run = 1; run < WARM_UP; run += 1) await readMessage(withImage, {}, { readImages: () => true });

  const report = (label: string, runs: Runs): void => {
    const [wall, cpu] = [runs.wall.sort((a, b) => a - b), runs.cpu.sort((a, b) => a - b)];
    const ms = (value: number): string => value.toFixed(0).padStart(6);
    console.log(
      `${label.padEnd(34)} wall p50 ${ms(percentile(wall, 0.5))} ms  p95 ${ms(percentile(wall, 0.95))} ms   cpu p50 ${ms(percentile(cpu, 0.5))} ms  p95 ${ms(percentile(cpu, 0.95))} ms`,
    );
  };
  report('read, screenshot by OCR', await timed(() => readMessage(withImage, {}, { readImages: () => true })));
  report('read, OCR off', await timed(() => readMessage(withImage)));
  report('full scan, screenshot to outside', await timed(() => scanMessage(withImage, school, detectors, ENVELOPE)));
  report('full scan, same text, no image', await timed(() => scanMessage(withoutImage, school, detectors, ENVELOPE)));
  console.log(`load average ${loadavg()[0]!.toFixed(1)} at the end`);
  stopOcrEngine();
}

/** Wall time, and CPU time of the whole process (the engine's thread included), which other work on a shared machine does not inflate. */
interface Runs {
  readonly wall: number[];
  readonly cpu: number[];
}

async function timed(work: () => Promise<unknown>): Promise<Runs> {
  const runs: Runs = { wall: [], cpu: [] };
  for (let run = 0; run < RUNS; run += 1) {
    const [start, cpuStart] = [performance.now(), process.cpuUsage()];
    await work();
    const cpu = process.cpuUsage(cpuStart);
    runs.wall.push(performance.now() - start);
    runs.cpu.push((cpu.user + cpu.system) / 1000);
  }
  return runs;
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)] ?? Number.NaN;
}

await main();
