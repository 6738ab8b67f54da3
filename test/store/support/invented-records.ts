import type { Finding } from '../../../src/detect/finding.js';
import type { VerdictAuditEntry } from '../../../src/store/audit-entry.js';
import type { QuarantineRecord } from '../../../src/store/quarantine-store.js';

/** Invented: no real person has these names. The at-rest test greps for them. */
export const PUPIL_NAME = 'Zephyrine Quillfeather';
export const SUBJECT_PHRASE = 'Marmalade heron outing';
export const BODY_PHRASE = 'the periwinkle lighthouse keeps its counsel';

export function inventedRaw(extra = ''): Buffer {
  return Buffer.from(
    [
      'From: Teacher One <teacher.one@stmarys-example.sch.uk>',
      'To: parent@example.org',
      `Subject: ${SUBJECT_PHRASE} for ${PUPIL_NAME}`,
      'Message-ID: <invented-1@stmarys-example.sch.uk>',
      '',
      `Dear parent, ${PUPIL_NAME} attended; ${BODY_PHRASE}.`,
      extra,
      '',
    ].join('\r\n'),
  );
}

export const PUPIL_FINDING: Finding = {
  detector: 'pupil-name',
  category: 'pupil-name',
  severity: 'high',
  location: { part: 'subject' },
  match: PUPIL_NAME,
  span: { start: 31, end: 53 },
  pupilId: 'A123456789012',
  explanation: "a pupil's full name",
  suggestion: 'use initials: Z.Q.',
};

export const HEALTH_FINDING: Finding = {
  detector: 'sensitive',
  category: 'sensitive/health',
  severity: 'high',
  location: { part: 'body' },
  match: 'asthma',
  explanation: 'health information',
};

export function inventedRecord(overrides: Partial<QuarantineRecord> = {}): QuarantineRecord {
  return {
    schoolId: 'st-marys-example',
    receivedAt: new Date('2026-11-20T10:00:00.000Z'),
    envelope: { mailFrom: 'teacher.one@stmarys-example.sch.uk', rcptTo: ['parent@example.org', 'other@example.net'] },
    subject: `${SUBJECT_PHRASE} for ${PUPIL_NAME}`,
    raw: inventedRaw(),
    ruleIds: ['pupil-name-external', 'health-external'],
    findings: [PUPIL_FINDING, HEALTH_FINDING],
    ...overrides,
  };
}

export function verdictEntry(overrides: Partial<VerdictAuditEntry> = {}): VerdictAuditEntry {
  return {
    kind: 'verdict',
    messageId: 'msg-1',
    schoolId: 'st-marys-example',
    action: 'quarantine',
    ruleIds: ['pupil-name-external'],
    categories: { 'pupil-name': 1, 'sensitive/health': 2 },
    sender: 'teacher.one@stmarys-example.sch.uk',
    recipientDomains: ['example.org'],
    recipientCount: 1,
    timings: { scanMs: 6.4, actMs: 12.6 },
    replyCode: 250,
    at: new Date('2026-11-20T10:00:00.000Z'),
    ...overrides,
  };
}
