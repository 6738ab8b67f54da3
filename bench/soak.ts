/**
 * `npm run soak [COUNT] [SEED]`: COUNT messages (10,000 by default) — the labelled corpus's
 * clean mail, pupils' names, sensitive data, swearing and attachments, and a few large ones — through two
 * `hallmonitor serve` processes sharing Redis, PostgreSQL and the quarantine key, sent by smtp-source and
 * by a client that retries like an MTA, while the next hop flaps and one gateway is killed with SIGKILL and
 * restarted. It prints the counts and proves, message by message, that each is delivered, quarantined or
 * still its sender's, none lost and none delivered twice beyond what SMTP's at-least-once allows.
 * Exit status 1 when the proof fails. Needs the build (dist/), redis-server, smtp-source and PostgreSQL.
 */
import { report } from './soak/report.js';
import { DEFAULT_OPTIONS, runSoak } from './soak/run-soak.js';

const DEFAULT_COUNT = 10_000;
const DEFAULT_SEED = 1;

function positiveInteger(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`usage: soak [COUNT] [SEED]: ${what} must be a positive whole number`);
  return value;
}

const count = positiveInteger(process.argv[2], DEFAULT_COUNT, 'COUNT');
const seed = positiveInteger(process.argv[3], DEFAULT_SEED, 'SEED');
const result = await runSoak({ ...DEFAULT_OPTIONS, count, seed, log: (line) => console.log(line) });
console.log(report(result, count, seed));
process.exitCode = result.failed ? 1 : 0;
