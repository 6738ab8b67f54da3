import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { Envelope } from '../message/envelope.js';
import { readMessage } from '../message/read-message.js';
import { completeEnvelope, judgeMessage, type ScanResult } from '../scan/scan-message.js';
import { loadSchool, type LoadedSchool } from './load-school.js';
import { formatHumanReport, toReportJson } from './scan-report.js';
import { UsageError } from './usage-error.js';

export const SCAN_USAGE =
  'hallmonitor scan FILE.eml [FILE.eml ...] [--roster PUPILS.csv] [--staff STAFF.csv] [--domain D ...] [--from ADDR] [--rcpt ADDR ...] [--rules DIR] [--json]';

export const SCHOOL_OPTIONS = {
  roster: { type: 'string' },
  staff: { type: 'string' },
  domain: { type: 'string', multiple: true },
  rules: { type: 'string' },
} as const;

/** CONTRACTS.md §1. Returns the exit status: 0 when every file was scanned, whatever the verdicts. */
export async function runScan(args: readonly string[], write: (line: string) => void): Promise<number> {
  const { values, positionals } = parseOptions(args);
  if (positionals.length === 0) throw new UsageError(`no message to scan; usage: ${SCAN_USAGE}`);
  await Promise.all(positionals.map(assertReadable));
  const loaded = await loadSchool({ rosterPath: values.roster, staffPath: values.staff, domains: values.domain ?? [], rulesDirectory: values.rules });
  const envelope = { ...(values.from ? { mailFrom: values.from } : {}), ...(values.rcpt ? { rcptTo: values.rcpt } : {}) };
  for (const file of positionals) {
    const result = await scanFile(file, loaded, envelope);
    write(values.json ? JSON.stringify(toReportJson(basename(file), result)) : formatHumanReport(file, result));
  }
  return 0;
}

/** Without `--domain`, the sender's own domain is taken as the school's. */
export async function scanFile(file: string, { school, detectors }: LoadedSchool, envelopeHint: Partial<Envelope>): Promise<ScanResult> {
  const view = await readMessage(createReadStream(file));
  const envelope = completeEnvelope(view, envelopeHint);
  const senderDomain = envelope.mailFrom.split('@')[1];
  const domains = school.domains.length > 0 || !senderDomain ? school.domains : [senderDomain];
  return judgeMessage(view, envelope, { ...school, domains }, detectors);
}

function parseOptions(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { ...SCHOOL_OPTIONS, from: { type: 'string' }, rcpt: { type: 'string', multiple: true }, json: { type: 'boolean', default: false } },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${SCAN_USAGE}`);
  }
}

async function assertReadable(file: string): Promise<void> {
  try {
    await access(file, constants.R_OK);
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
}
