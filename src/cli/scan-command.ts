import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { Envelope } from '../message/envelope.js';
import { readMessage, type MessageAddresses, type MessageLimits } from '../message/read-message.js';
import { completeEnvelope, judgeMessage, schoolWantsOcr, type ScanResult } from '../scan/scan-message.js';
import { loadConfigFile, schoolSources } from '../config/config.js';
import type { SchoolSources } from '../config/school-sources.js';
import { loadTenants, resolveSchool, type Tenants } from '../scan/tenants.js';
import { formatHumanReport, toReportJson } from './scan-report.js';
import { UsageError } from './usage-error.js';

export const SCAN_USAGE =
  'hallmonitor scan FILE.eml [FILE.eml ...] [--config FILE] [--roster PUPILS.csv] [--staff STAFF.csv] [--domain D ...] [--from ADDR] [--rcpt ADDR ...] [--rules DIR] [--json]';

export const SCHOOL_OPTIONS = {
  config: { type: 'string' },
  roster: { type: 'string' },
  staff: { type: 'string' },
  domain: { type: 'string', multiple: true },
  rules: { type: 'string' },
} as const;

export interface SchoolFlags {
  readonly config?: string | undefined;
  readonly roster?: string | undefined;
  readonly staff?: string | undefined;
  readonly domain?: readonly string[] | undefined;
  readonly rules?: string | undefined;
}

/**
 * docs/architecture.md, "hallmonitor scan". Returns the exit status: 0 when every file was scanned, whatever the verdicts;
 * 2 when one could not be read. A file that cannot be read (missing, or failing as it is read)
 * gets one line on stderr and no report, and the other files are still scanned and reported.
 */
export async function runScan(args: readonly string[], write: (line: string) => void, warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<number> {
  const { values, positionals } = parseOptions(args);
  if (positionals.length === 0) throw new UsageError(`no message to scan; usage: ${SCAN_USAGE}`);
  const tenants = await loadTenants(await schoolSourcesFromFlags(values));
  const envelope = { ...(values.from ? { mailFrom: values.from } : {}), ...(values.rcpt ? { rcptTo: values.rcpt } : {}) };
  let unread = 0;
  for (const file of positionals) {
    try {
      await assertReadable(file);
      const result = await scanFile(file, tenants, envelope);
      write(values.json ? JSON.stringify(toReportJson(basename(file), result)) : formatHumanReport(file, result));
    } catch (error) {
      unread += 1;
      warn(`hallmonitor: ${unreadableReason(file, error)}`);
    }
  }
  return unread === 0 ? 0 : 2;
}

function unreadableReason(file: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return error instanceof UsageError ? message : `cannot scan ${file}: ${message.split('\n')[0]}`;
}

/**
 * The schools to scan for: those of `--config`, or one school from the flags. With a configuration
 * of one school, the flags override its fields, as they do for `serve`.
 */
export async function schoolSourcesFromFlags(flags: SchoolFlags): Promise<SchoolSources[]> {
  const sources = flags.config ? schoolSources(await loadConfigFile(flags.config), flags.config) : [{ domains: [] }];
  return applySchoolFlags(sources, flags);
}

export function applySchoolFlags(sources: readonly SchoolSources[], flags: SchoolFlags): SchoolSources[] {
  const fromFlags = {
    ...(flags.roster ? { rosterPath: flags.roster } : {}),
    ...(flags.staff ? { staffPath: flags.staff } : {}),
    ...(flags.domain?.length ? { domains: flags.domain } : {}),
    ...(flags.rules ? { rulesDirectory: flags.rules } : {}),
  };
  if (Object.keys(fromFlags).length === 0) return [...sources];
  if (sources.length > 1) throw new UsageError(`${flags.config} has several schools; change them there rather than with --roster, --staff, --domain or --rules`);
  return [{ domains: [], ...sources[0], ...fromFlags }];
}

/**
 * Scans one file as the gateway would: the sender's domain chooses the school (the first one for a
 * sender of none), and a school with no domains configured takes the sender's domain as its own.
 */
export function scanFile(file: string, tenants: Tenants, envelopeHint: Partial<Envelope>): Promise<ScanResult> {
  return scanSource(createReadStream(file), tenants, envelopeHint);
}

/** `scanFile` for a message already in memory or on another stream, under the default limits unless given others. */
export async function scanSource(
  source: NodeJS.ReadableStream | Buffer,
  tenants: Tenants,
  envelopeHint: Partial<Envelope>,
  limits: Partial<MessageLimits> = {},
): Promise<ScanResult> {
  const readImages = (addresses: MessageAddresses): boolean => {
    const envelope = completeEnvelope(addresses, envelopeHint);
    return schoolWantsOcr(resolveSchool(tenants, envelope.mailFrom).school, envelope);
  };
  const view = await readMessage(source, limits, { readImages });
  const envelope = completeEnvelope(view, envelopeHint);
  const { school, detectors } = resolveSchool(tenants, envelope.mailFrom);
  return judgeMessage(view, envelope, school, detectors);
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
