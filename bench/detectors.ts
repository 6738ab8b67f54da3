/**
 * `node dist/bench/detectors.js`: where a scan's time goes, stage by stage (MIME reading, each
 * detector, the policy), for the 20 KB messages the other benchmarks use: smtp-source's payload,
 * everyday prose naming pupils (bench:scan) and a staff email with its thread (bench:relay), with
 * a 100,000-pupil roster.
 * Prints mean microseconds per message, and the whole scan's CPU time; it asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import type { Detector } from '../src/detect/detector.js';
import { loadDetectors } from '../src/detect/registry.js';
import { readMessage } from '../src/message/read-message.js';
import { DEFAULT_RULES_DIRECTORY } from '../src/package-root.js';
import { loadRuleSet } from '../src/policy/load-rules.js';
import { buildDirectory } from '../src/roster/directory.js';
import { completeEnvelope, judgeMessage, scanMessage } from '../src/scan/scan-message.js';
import type { School } from '../src/scan/school.js';
import { composeMessage, twentyKilobyteBody } from './messages.js';
import { staffEmail } from './staff-email.js';
import { syntheticPupils } from './synthetic-school.js';

const RUNS = 500;
const WARM_UP = 200;

/**
 * What `smtp-source -l 20480` sends, as smtp-sink's dump (`-D`) shows it: a few headers, then 255
 * lines of a digit (1 to 9, then 0, in turn) and 77 `X`, and a last line of 80 `X`.
 */
function smtpSourceMessage(): Buffer {
  const lines = Array.from({ length: 255 }, (_, index) => `${(index + 1) % 10}${'X'.repeat(77)}\r\n`);
  const headers = [
    'From: <teacher@school.example.sch.uk>',
    'To: <someone@example.org>',
    'Date: Tue, 24 Nov 2026 01:30:03 +0000 (UTC)',
    'Message-Id: <07e0.0003.0000@bench.example.org>',
    'Subject: Weekly newsletter',
  ].join('\r\n');
  return Buffer.from(`${headers}\r\n\r\n${lines.join('')}${'X'.repeat(80)}\r\n`);
}

async function timeStages(label: string, message: Buffer, school: School, detectors: readonly Detector[]): Promise<void> {
  const totals = new Map<string, number>();
  const add = (stage: string, since: number): number => {
    const now = performance.now();
    totals.set(stage, (totals.get(stage) ?? 0) + now - since);
    return now;
  };
  for (let run = 0; run < WARM_UP + RUNS; run += 1) {
    if (run === WARM_UP) totals.clear();
    let mark = performance.now();
    const view = await readMessage(message);
    mark = add('read (MIME, text)', mark);
    const envelope = completeEnvelope(view, { mailFrom: 'teacher@school.example.sch.uk', rcptTo: ['someone@example.org'] });
    const context = { envelope, directory: school.directory, schoolDomains: school.domains };
    for (const detector of detectors) {
      detector(view, context);
      mark = add(detector.name, mark);
    }
    judgeMessage(view, envelope, school, detectors);
    add('judge (all detectors + policy)', mark);
  }
  const cpuBefore = process.cpuUsage();
  for (let run = 0; run < RUNS; run += 1) await scanMessage(message, school, detectors, { mailFrom: 'teacher@school.example.sch.uk', rcptTo: ['someone@example.org'] });
  const cpu = process.cpuUsage(cpuBefore);
  console.log(`\n${label}: mean µs per message over ${RUNS} runs`);
  // The process's CPU, the garbage collector's helper threads too: steadier than time on a busy machine.
  console.log(`${'whole scan (scanMessage), CPU'.padEnd(32)} ${((cpu.user + cpu.system) / RUNS).toFixed(0).padStart(7)}`);
  for (const [stage, millis] of totals) console.log(`${stage.padEnd(32)} ${((millis * 1000) / RUNS).toFixed(0).padStart(7)}`);
}

async function main(): Promise<void> {
  const pupils = syntheticPupils(100_000);
  const school: School = {
    id: 'bench',
    domains: ['school.example.sch.uk'],
    directory: buildDirectory(pupils, []),
    ruleSet: await loadRuleSet(DEFAULT_RULES_DIRECTORY),
    staffGroups: new Map(),
  };
  const detectors = await loadDetectors(DEFAULT_RULES_DIRECTORY);
  await timeStages('smtp-source payload (a digit and 77 X a line)', smtpSourceMessage(), school, detectors);
  await timeStages('prose naming pupils', await composeMessage(twentyKilobyteBody(pupils.slice(0, 5)), []), school, detectors);
  await timeStages("a staff email with its thread (bench:relay's message)", await staffEmail(), school, detectors);
}

await main();
