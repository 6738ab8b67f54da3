import type { Detector, ScanContext } from './detector.js';
import type { Finding } from './finding.js';
import type { MessageView } from '../message/message-view.js';
import { proseView } from './prose-text.js';

/**
 * Runs every detector on the message's prose (`prose-text.ts`: no binary, encoded blocks or
 * machine header fields) and keeps one finding per fact: the same name in the plain and the HTML
 * body, or three times in one paragraph, is one finding (the first place it was seen).
 */
export function runDetectors(detectors: readonly Detector[], message: MessageView, context: ScanContext): Finding[] {
  const view = proseView(message);
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const detector of detectors) {
    for (const finding of detector(view, context)) {
      const key = findingKey(finding);
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(finding);
    }
  }
  return findings;
}

export function findingKey(finding: Finding): string {
  const where = 'name' in finding.location ? `${finding.location.part}:${finding.location.name}` : finding.location.part;
  return [finding.category, where, foldMatch(finding.match), finding.pupilId ?? ''].join('\u0000');
}

/** Case, spacing and apostrophe style do not make two findings different. */
export function foldMatch(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}
