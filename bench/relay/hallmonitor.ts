import type { ChildProcess } from 'node:child_process';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticPupils } from '../synthetic-school.js';
import { waitForPort, type Children } from './children.js';

export const SCHOOL_DOMAIN = 'school.example.sch.uk';
export const SENDER = `teacher@${SCHOOL_DOMAIN}`;
export const RECIPIENT_DOMAIN = 'example.org';
export const RECIPIENT = `someone@${RECIPIENT_DOMAIN}`;
export const ROSTER_SIZE = 100_000;

const SERVE_SCRIPT = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/**
 * `hallmonitor serve` relaying to `sinkPort`, scanning fully with a 100,000-pupil roster, the
 * sending host (loopback) on the allow-list. With HM_BENCH_CPU_PROF=DIR set it writes CPU profiles
 * of its main thread and scan workers there when stopped.
 */
export async function startHallmonitor(children: Children, folder: string, port: number, sinkPort: number): Promise<ChildProcess> {
  const roster = join(folder, 'pupils.csv');
  await writeFile(roster, rosterCsv(ROSTER_SIZE));
  const data = join(folder, 'hallmonitor-data');
  await mkdir(data, { recursive: true });
  const log = await open(join(folder, 'hallmonitor.log'), 'w');
  const profile = process.env.HM_BENCH_CPU_PROF;
  const nodeFlags = profile ? ['--cpu-prof', '--cpu-prof-dir', resolve(profile)] : [];
  const serveArgs = ['serve', '--listen', `127.0.0.1:${port}`, '--web', '127.0.0.1:0', '--next-hop', `smtp://127.0.0.1:${sinkPort}`];
  const schoolArgs = ['--data', data, '--roster', roster, '--domain', SCHOOL_DOMAIN];
  const child = children.start(process.execPath, [...nodeFlags, SERVE_SCRIPT, ...serveArgs, ...schoolArgs], { stdio: ['ignore', log.fd, log.fd] });
  child.once('exit', () => void log.close());
  await waitForPort(port, child, 120_000, 'hallmonitor serve');
  return child;
}

/** docs/architecture.md roster headers; `Id` rather than `UPN` so the invented ids need not be valid UPNs. */
function rosterCsv(size: number): string {
  const rows = syntheticPupils(size).map((pupil) => [pupil.id, pupil.legalForename, pupil.legalSurname, pupil.contactEmails.join(';')].join(','));
  return ['Id,Legal Forename,Legal Surname,Contact Emails', ...rows].join('\n') + '\n';
}
