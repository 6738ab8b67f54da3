import type { Finding, FindingLocation } from '../detect/finding.js';
import type { ScanResult } from '../scan/scan-message.js';

/** CONTRACTS.md §1: one JSON object per scanned file. `explanation` and `suggestion` are optional extras. */
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
}

export function toReportJson(file: string, result: ScanResult): ScanReportJson {
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
