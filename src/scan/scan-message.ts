import type { Detector } from '../detect/detector.js';
import type { Finding } from '../detect/finding.js';
import { runDetectors } from '../detect/run-detectors.js';
import type { Envelope } from '../message/envelope.js';
import { UNREAD_REASONS, type MessageView, type UnreadReason } from '../message/message-view.js';
import { readMessage, type MessageAddresses, type MessageLimits } from '../message/read-message.js';
import { decide } from '../policy/decide.js';
import type { Verdict } from '../policy/verdict.js';
import { splitRecipients } from '../message/addresses.js';
import { DEFAULT_OCR_WHEN } from '../config/school-sources.js';
import { wantsOcr } from './ocr-when.js';
import type { School } from './school.js';

export interface ScanResult {
  readonly view: MessageView;
  readonly envelope: Envelope;
  readonly findings: readonly Finding[];
  readonly verdict: Verdict;
}

/** Parse, detect, decide: everything the gateway does to a message before acting on it. */
export async function scanMessage(
  source: NodeJS.ReadableStream | Buffer,
  school: School,
  detectors: readonly Detector[],
  envelope?: Partial<Envelope>,
  limits?: Partial<MessageLimits>,
): Promise<ScanResult> {
  const readImages = (addresses: MessageAddresses): boolean => schoolWantsOcr(school, completeEnvelope(addresses, envelope));
  const view = await readMessage(source, limits, { readImages });
  return judgeMessage(view, completeEnvelope(view, envelope), school, detectors);
}

/** Whether this school reads the images of this message by OCR (its `ocr` setting and the recipients). */
export function schoolWantsOcr(school: School, envelope: Envelope): boolean {
  return wantsOcr(school.ocr ?? DEFAULT_OCR_WHEN, envelope, school.domains);
}

/** The pure part of a scan: findings and verdict for a message already read. */
export function judgeMessage(view: MessageView, envelope: Envelope, school: School, detectors: readonly Detector[]): ScanResult {
  const findings = runDetectors(detectors, view, { envelope, directory: school.directory, schoolDomains: school.domains });
  const { internal, external } = splitRecipients(envelope.rcptTo, school.domains);
  const verdict = decide(school.ruleSet, {
    findings,
    internalRecipients: internal,
    externalRecipients: external,
    senderGroups: school.staffGroups.get(envelope.mailFrom) ?? [],
    externalRecipientsAreContactsOfNamedPupils: areContactsOfNamedPupils(external, findings, school),
    unreadReasons: unreadReasons(view),
  });
  return { view, envelope, findings, verdict };
}

function unreadReasons(view: MessageView): UnreadReason[] {
  const kinds = view.attachments.flatMap((attachment) => attachment.facts.map((fact) => fact.kind));
  return UNREAD_REASONS.filter((reason) => kinds.includes(reason));
}

/** A parent told about their own child is not the breach the initials rule guards against. */
function areContactsOfNamedPupils(external: readonly string[], findings: readonly Finding[], school: School): boolean {
  const named = new Set(findings.filter((finding) => finding.category === 'pupil-name').map((finding) => finding.pupilId));
  return external.length > 0 && external.every((address) => school.directory.pupilIdsForAddress(address).some((id) => named.has(id)));
}

/** docs/architecture.md, "hallmonitor scan": without an envelope, the sender is `From:` and the recipients are To, Cc and Bcc. */
export function completeEnvelope(view: MessageAddresses, envelope: Partial<Envelope> = {}): Envelope {
  const headerRecipients = [...view.to, ...view.cc, ...view.bcc].map((address) => address.address);
  return {
    mailFrom: (envelope.mailFrom ?? view.from?.address ?? '').toLowerCase(),
    rcptTo: [...new Set((envelope.rcptTo && envelope.rcptTo.length > 0 ? envelope.rcptTo : headerRecipients).map((r) => r.toLowerCase()))],
  };
}
