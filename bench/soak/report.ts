import { availableParallelism } from 'node:os';
import type { Fate } from './accounting.js';
import type { SoakResult } from './run-soak.js';

const MEGABYTE = 1024 * 1024;

const FATE_LABELS: Readonly<Record<Fate, string>> = {
  delivered: 'delivered at the next hop (unique messages)',
  quarantined: 'quarantined (records in PostgreSQL)',
  returned: 'returned to the sender (5xx)',
  'refused-for-now': 'still 4xx or no answer when the sender gave up',
  lost: 'LOST (2xx but neither delivered nor held)',
  conflict: 'CONFLICT (delivered and held, or 5xx yet delivered/held)',
};

/** The figures and the proof, as `npm run soak` prints them. */
export function report(result: SoakResult, count: number, seed: number): string {
  const { accounting: a } = result;
  const row = (label: string, value: number | string) => `${label.padEnd(58)}${String(value).padStart(14)}`;
  const fate = (name: Fate) => row(FATE_LABELS[name], `${a.fates[name]} (${a.smtpSourceFates[name]})`);
  const mix = [...result.mix].map(([kind, n]) => `${kind} ${n}`).join(', ');
  const mail = [...result.gatewayMail.byKind].map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none';
  const lines = [
    `soak: ${count} messages, seed ${seed}, ${availableParallelism()} cores, load average ${result.loadAverage.start.toFixed(1)} → ${result.loadAverage.end.toFixed(1)}, ${new Date().toISOString()}`,
    `client mix: ${mix} (${result.withAttachment} with attachments)`,
    `next hop phases begun: accepting ${result.phases.accepting}, tempfailing ${result.phases.tempfailing}, down ${result.phases.down}`,
    `gateway b SIGKILLed at ${result.kill.atSecond.toFixed(1)} s (after ${result.kill.afterMessages} client messages finished) and restarted`,
    '',
    row('', 'all (smtp-source)'),
    row('sent', `${a.sent} (${a.sentBy['smtp-source']})`),
    fate('delivered'),
    row('  of which encrypted', a.encrypted),
    row('duplicate copies, explained by a failed try (at-least-once)', a.duplicates.explained),
    row('duplicate copies, unexplained', a.duplicates.unexplained),
    fate('quarantined'),
    row('quarantine records beyond one per message', a.duplicateHolds),
    fate('returned'),
    fate('refused-for-now'),
    row('retries (tries beyond the first)', a.retries),
    row('messages that needed a retry', a.retriedMessages),
    fate('lost'),
    fate('conflict'),
    row('fates other than the labels allow (warning)', a.verdictMismatches.length),
    '',
    `gateway's own mail at the next hop: ${mail}; ${result.gatewayMail.duplicates} copies beyond the first`,
    `queues ${result.queues.settled ? 'settled' : 'NOT settled'}: ${result.queues.pending} pending, ${result.queues.failed} failed`,
    `elapsed ${result.seconds.toFixed(1)} s, ${(a.sent / result.seconds).toFixed(1)} msg/s; peak RSS ${result.peakRss.map((gateway) => `${gateway.name} ${(gateway.bytes / MEGABYTE).toFixed(0)} MB`).join(', ')}`,
    '',
    proof(result),
  ];
  for (const mismatch of a.verdictMismatches.slice(0, 10)) lines.push(`  warning: ${mismatch.key} was ${mismatch.seen}, labels allow ${mismatch.expected.join('/')}`);
  return lines.join('\n');
}

function proof(result: SoakResult): string {
  const { accounting: a } = result;
  const accounted = a.fates.delivered + a.fates.quarantined + a.fates.returned + a.fates['refused-for-now'];
  const head = `PROOF: ${accounted} of ${a.sent} messages are exactly one of delivered / quarantined / still the sender's; lost ${a.fates.lost}, conflicts ${a.fates.conflict}, unexplained duplicates ${a.duplicates.unexplained}, double holds ${a.duplicateHolds}`;
  if (!result.failed) return `${head} — HOLDS`;
  const examples = a.failing.slice(0, 20).map((failure) => `  ${failure.key}: ${failure.reason}`);
  return [`${head} — FAILS`, ...examples, `  gateway logs kept in ${result.keptFolder ?? '(removed)'}`].join('\n');
}
