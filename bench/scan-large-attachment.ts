/**
 * Peak resident memory of scanning one message with a large attachment, streamed from the file
 * named on the command line, in its own process so that nothing else inflates the figure.
 * Prints one line. `bench/scan.ts` writes the message and runs this.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { loadDetectors } from '../src/detect/registry.js';
import { DEFAULT_RULES_DIRECTORY } from '../src/package-root.js';
import { loadRuleSet } from '../src/policy/load-rules.js';
import { buildDirectory } from '../src/roster/directory.js';
import { scanMessage } from '../src/scan/scan-message.js';
import { syntheticPupils } from './synthetic-school.js';

const file = process.argv[2];
if (!file) throw new Error('usage: scan-large-attachment FILE.eml');
const school = {
  id: 'bench',
  domains: ['school.example.sch.uk'],
  directory: buildDirectory(syntheticPupils(1000), []),
  ruleSet: await loadRuleSet(DEFAULT_RULES_DIRECTORY),
  staffGroups: new Map(),
};
const detectors = await loadDetectors(DEFAULT_RULES_DIRECTORY);
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const result = await scanMessage(createReadStream(file), school, detectors);
const seconds = (performance.now() - started) / 1000;
const peakMegabytes = process.resourceUsage().maxRSS / 1024;
const sizeMegabytes = (await stat(file)).size / 1048576;
console.log(
  `${sizeMegabytes.toFixed(0)} MB message with a 25 MB attachment: peak RSS ${peakMegabytes.toFixed(0)} MB (target < 300), ` +
    `${(rssBefore / 1048576).toFixed(0)} MB before the scan, ${seconds.toFixed(2)} s, verdict ${result.verdict.action}`,
);
