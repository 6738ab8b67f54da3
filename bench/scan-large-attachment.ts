/**
 * Peak resident memory of scanning one message with a 25 MB attachment, streamed from disk,
 * in its own process so that nothing else inflates the figure. Prints one line.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDetectors } from '../src/detect/registry.js';
import { DEFAULT_RULES_DIRECTORY } from '../src/package-root.js';
import { loadRuleSet } from '../src/policy/load-rules.js';
import { buildDirectory } from '../src/roster/directory.js';
import { scanMessage } from '../src/scan/scan-message.js';
import { composeMessage } from './messages.js';
import { syntheticPupils } from './synthetic-school.js';

const ATTACHMENT_BYTES = 25 * 1024 * 1024;

const folder = await mkdtemp(join(tmpdir(), 'hm-bench-'));
try {
  const file = join(folder, 'large.eml');
  const line = 'Forename,Surname,Note\nAmara,Adeyemi,Lorem ipsum dolor sit amet consectetur\n';
  const csv = Buffer.from(line.repeat(Math.ceil(ATTACHMENT_BYTES / line.length)).slice(0, ATTACHMENT_BYTES));
  await writeFile(file, await composeMessage('Please see the attached export.', [{ filename: 'export.csv', content: csv, contentType: 'text/csv' }]));
  const rssBefore = process.memoryUsage().rss;
  const school = { id: 'bench', domains: ['school.example.sch.uk'], directory: buildDirectory(syntheticPupils(1000), []), ruleSet: await loadRuleSet(DEFAULT_RULES_DIRECTORY), staffGroups: new Map() };
  const detectors = await loadDetectors(DEFAULT_RULES_DIRECTORY);
  const started = performance.now();
  const result = await scanMessage(createReadStream(file), school, detectors);
  const seconds = (performance.now() - started) / 1000;
  const peakMegabytes = process.resourceUsage().maxRSS / 1024;
  console.log(
    `25 MB attachment: peak RSS ${peakMegabytes.toFixed(0)} MB (target < 300), ${(rssBefore / 1048576).toFixed(0)} MB before the scan, ` +
      `${seconds.toFixed(2)} s, verdict ${result.verdict.action}`,
  );
} finally {
  await rm(folder, { recursive: true, force: true });
}
