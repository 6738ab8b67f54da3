import { UNREAD_REASONS, type UnreadReason } from '../message/message-view.js';
import type { Finding, FindingLocation } from '../detect/finding.js';
import type { ScanResult } from '../scan/scan-message.js';

/** docs/architecture.md, "hallmonitor scan": one JSON object per scanned file. `explanation` and `suggestion` are optional extras. */
export interface ScanReportJson {
  readonly file: string;
  readonly verdict: { readonly action: string; readonly rules: readonly string[] };
  readonly findings: readonly {
    readonly category: string;
    readonly severity: string;
    /** `ocr: true` (an addition to the contract's fields) for text read by OCR from an image or a scanned page. */
    readonly location: { readonly part: string; readonly name?: string; readonly ocr?: true };
    readonly match: string;
    readonly pupilId?: string;
    readonly explanation: string;
    readonly suggestion?: string;
  }[];
  /** An addition to the contract's fields, present when some attachment was left unread without a fault (audio or video, an image OCR did not read). */
  readonly unread?: readonly UnreadAttachment[];
}

interface UnreadAttachment {
  readonly name: string;
  readonly reason: UnreadReason;
  readonly detail: string;
}

function unreadAttachments(result: ScanResult): UnreadAttachment[] {
  return result.view.attachments.flatMap((attachment) =>
    attachment.facts.flatMap((fact) => (isUnreadReason(fact.kind) ? [{ name: attachment.name, reason: fact.kind, detail: fact.detail }] : [])),
  );
}

function isUnreadReason(kind: string): kind is UnreadReason {
  return (UNREAD_REASONS as readonly string[]).includes(kind);
}

export function toReportJson(file: string, result: ScanResult): ScanReportJson {
  const unread = unreadAttachments(result);
  return {
    file,
    verdict: { action: result.verdict.action, rules: result.verdict.rules.map((rule) => rule.id) },
    findings: result.findings.map((finding) => ({
      category: finding.category,
      severity: finding.severity,
      location: reportLocation(finding.location),
      match: finding.match,
      ...(finding.pupilId === undefined ? {} : { pupilId: finding.pupilId }),
      explanation: finding.explanation,
      ...(finding.suggestion === undefined ? {} : { suggestion: finding.suggestion }),
    })),
    ...(unread.length === 0 ? {} : { unread }),
  };
}

function reportLocation(location: FindingLocation): ScanReportJson['findings'][number]['location'] {
  if (!('name' in location)) return { part: location.part };
  return { part: location.part, name: location.name, ...('ocr' in location && location.ocr ? { ocr: true as const } : {}) };
}

/** A short human report: the verdict and its reasons, then the findings grouped by where they are. */
export function formatHumanReport(file: string, result: ScanResult): string {
  const { verdict } = result;
  const lines = [`${file}: ${verdict.action.toUpperCase()}`];
  for (const rule of verdict.rules.filter((r) => r.action === verdict.action)) lines.push(`  because ${rule.reason} [${rule.id}]`);
  if (result.findings.length === 0) lines.push('  no findings');
  for (const [where, findings] of groupByLocation(result.findings)) {
    lines.push(`  ${where}:`);
    for (const finding of findings) {
      const suggestion = finding.suggestion ? ` (${finding.suggestion})` : '';
      lines.push(`    ${finding.category} [${finding.severity}] "${finding.match}"${suggestion}`);
    }
  }
  for (const unread of unreadAttachments(result)) lines.push(`  not read: attachment ${unread.name} (${unread.detail})`);
  return lines.join('\n');
}

function groupByLocation(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const where = describeLocation(finding.location);
    groups.set(where, [...(groups.get(where) ?? []), finding]);
  }
  return groups;
}

export function describeLocation(location: FindingLocation): string {
  switch (location.part) {
    case 'attachment':
      return `attachment ${location.name}${location.ocr ? ' (OCR)' : ''}`;
    case 'attachment-name':
      return `attachment name ${location.name}`;
    default:
      return location.part;
  }
}
