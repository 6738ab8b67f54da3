import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIRECTORY } from '../../src/package-root.js';
import type { Finding } from '../../src/detect/finding.js';
import { decide, type RuleSet } from '../../src/policy/decide.js';
import type { MessageFacts } from '../../src/policy/evaluate-condition.js';
import { loadRuleSet } from '../../src/policy/load-rules.js';
import { finding } from './findings.js';

let defaults: RuleSet;
beforeAll(async () => {
  defaults = await loadRuleSet(DEFAULT_RULES_DIRECTORY);
});

const EXTERNAL = { internalRecipients: [], externalRecipients: ['parent@example.org'], senderGroups: [], externalRecipientsAreContactsOfNamedPupils: false, unreadReasons: [] };
const INTERNAL = { internalRecipients: ['head@school.sch.uk'], externalRecipients: [], senderGroups: [], externalRecipientsAreContactsOfNamedPupils: false, unreadReasons: [] };

function verdictFor(findings: Finding[], recipients: Omit<MessageFacts, 'findings'> = EXTERNAL) {
  return decide(defaults, { findings, ...recipients });
}

describe('default rules (rules/*.yaml)', () => {
  it('delivers mail with images OCR did not read, telling the DPO when it leaves the school; audio and video alone fire nothing', () => {
    const unreadImages = decide(defaults, { findings: [], ...EXTERNAL, unreadReasons: ['ocr-limit'] });
    expect([unreadImages.action, unreadImages.rules.map((rule) => rule.id)]).toEqual(['deliver', ['images-not-read-to-external']]);
    expect(decide(defaults, { findings: [], ...INTERNAL, unreadReasons: ['ocr-limit'] }).rules).toEqual([]);
    expect(decide(defaults, { findings: [], ...EXTERNAL, unreadReasons: ['media'] }).rules).toEqual([]);
  });

  it('delivers clean mail, with no rule firing', () => {
    const verdict = verdictFor([]);
    expect(verdict.action).toBe('deliver');
    expect(verdict.rules).toEqual([]);
  });

  it('returns a pupil name in the subject, internal or external, even when [secure] is asked for', () => {
    for (const recipients of [EXTERNAL, INTERNAL]) {
      const verdict = verdictFor([finding('pupil-name', { part: 'subject' }), finding('request/encrypt', { part: 'subject' })], recipients);
      expect(verdict.action).toBe('return');
      expect(verdict.rules[0]?.id).toBe('pupil-name-in-subject');
    }
  });

  it('returns a pupil name in the body to an external recipient, and encrypts it when [secure] was asked for', () => {
    expect(verdictFor([finding('pupil-name')]).action).toBe('return');
    const secure = verdictFor([finding('pupil-name'), finding('request/encrypt', { part: 'subject' })]);
    expect(secure.action).toBe('encrypt');
    expect(secure.rules.map((rule) => rule.id)).toContain('pupil-name-to-external-secure');
  });

  it('delivers a pupil name in the body inside the school, with advice for the sender', () => {
    const verdict = verdictFor([finding('pupil-name')], INTERNAL);
    expect(verdict.action).toBe('deliver');
    expect(verdict.rules.map((rule) => rule.id)).toEqual(['pupil-name-internal']);
    expect(verdict.notifications).toContainEqual({ to: 'sender', level: 'digest', ruleId: 'pupil-name-internal' });
  });

  it('encrypts a named pupil with personal or sensitive data to an external recipient who asked for it securely', () => {
    for (const category of ['sensitive/sen', 'sensitive/health', 'personal-data/date-of-birth', 'personal-data/address'] as const) {
      const verdict = verdictFor([finding('pupil-name'), finding(category), finding('request/encrypt', { part: 'subject' })]);
      expect(verdict.action, category).toBe('encrypt');
      expect(verdict.rules.map((rule) => rule.id)).toContain('pupil-data-to-external');
    }
  });

  it('never delivers a named pupil with sensitive data to an external recipient (docs/architecture.md, "hallmonitor scan")', () => {
    const verdict = verdictFor([finding('pupil-name'), finding('sensitive/sen')]);
    expect(['encrypt', 'quarantine', 'return']).toContain(verdict.action);
  });

  it('encrypts any identifier to an external recipient, and delivers it internally', () => {
    for (const category of [
      'personal-data/upn',
      'personal-data/uln',
      'personal-data/ni-number',
      'personal-data/nhs-number',
      'personal-data/payment-card',
      'personal-data/bank-account',
    ] as const) {
      expect(verdictFor([finding(category)]).action, category).toBe('encrypt');
      expect(verdictFor([finding(category)], INTERNAL).action, category).toBe('deliver');
    }
  });

  it('quarantines pupil data to a personal webmail address that is not a known contact', () => {
    const verdict = verdictFor([finding('pupil-name'), finding('sensitive/health'), finding('recipients/personal-webmail', { part: 'recipients' })]);
    expect(verdict.action).toBe('quarantine');
    expect(verdict.rules[0]?.id).toBe('pupil-data-to-personal-webmail');
    expect(verdict.notifications).toContainEqual({ to: 'dpo', level: 'immediate', ruleId: 'pupil-data-to-personal-webmail' });
  });

  it('quarantines safeguarding details about a named pupil unless the sender is in the safeguarding team', () => {
    const findings = [finding('pupil-name'), finding('sensitive/safeguarding'), finding('request/encrypt', { part: 'subject' })];
    expect(verdictFor(findings).action).toBe('quarantine');
    expect(verdictFor(findings, { ...EXTERNAL, senderGroups: ['dsl'] }).action).toBe('encrypt');
  });

  it('quarantines bulk personal data leaving the school and returns executables', () => {
    expect(verdictFor([finding('attachment/bulk-personal-data', { part: 'attachment', name: 'class.xlsx' })]).action).toBe('quarantine');
    expect(verdictFor([finding('attachment/bulk-personal-data', { part: 'attachment', name: 'class.xlsx' })], INTERNAL).action).toBe('deliver');
    expect(verdictFor([finding('attachment/executable', { part: 'attachment', name: 'a.exe' })], INTERNAL).action).toBe('return');
  });

  it('lets a password-protected attachment through: it counts as protected', () => {
    expect(verdictFor([finding('attachment/password-protected', { part: 'attachment', name: 'report.zip' })]).action).toBe('deliver');
  });

  it('quarantines what it could not read, wherever it is going', () => {
    for (const recipients of [EXTERNAL, INTERNAL]) {
      expect(verdictFor([finding('attachment/unscannable', { part: 'attachment', name: 'odd.bin' })], recipients).action).toBe('quarantine');
    }
  });

  it('quarantines a pupil name in the subject of a message with sensitive data leaving the school', () => {
    const verdict = verdictFor([finding('pupil-name', { part: 'subject' }), finding('sensitive/health')]);
    expect(verdict.action).toBe('quarantine');
    expect(verdict.rules[0]?.id).toBe('pupil-name-in-subject-with-personal-data');
  });

  it("delivers a pupil's full name to that pupil's own parents, but returns it to anyone else outside", () => {
    const ownParents = { ...EXTERNAL, externalRecipientsAreContactsOfNamedPupils: true };
    expect(verdictFor([finding('pupil-name')], ownParents).action).toBe('deliver');
    expect(verdictFor([finding('pupil-name')], EXTERNAL).action).toBe('return');
    expect(verdictFor([finding('pupil-name'), finding('sensitive/health')], ownParents).action).toBe('encrypt');
  });

  it("returns mail to a member of staff's own webmail, and only notes other unknown webmail", () => {
    const own = { ...finding('recipients/personal-webmail', { part: 'recipients' }), severity: 'critical' as const };
    expect(verdictFor([own]).action).toBe('return');
    const unknown = verdictFor([finding('recipients/personal-webmail', { part: 'recipients' })]);
    expect(unknown.action).toBe('deliver');
    expect(unknown.notifications).toContainEqual({ to: 'sender', level: 'immediate', ruleId: 'personal-webmail' });
  });

  it('returns profanity, chain letters and visible bulk recipients; quarantines slurs with an alert to the Business Manager', () => {
    expect(verdictFor([finding('language/profanity')], INTERNAL).action).toBe('return');
    expect(verdictFor([finding('content/chain-letter')], INTERNAL).action).toBe('return');
    expect(verdictFor([finding('recipients/visible-bulk', { part: 'recipients' })]).action).toBe('return');
    const slur = verdictFor([finding('language/slur')], INTERNAL);
    expect(slur.action).toBe('quarantine');
    expect(slur.notifications).toContainEqual({ to: 'business-manager', level: 'immediate', ruleId: 'slur' });
  });

  it('quarantines misdirected mail for the DPO', () => {
    const verdict = verdictFor([finding('pupil-name'), finding('recipients/misdirected', { part: 'recipients' })]);
    expect(verdict.action).toBe('quarantine');
    expect(verdict.rules[0]?.id).toBe('misdirected');
  });

  it('holds misdirected mail even when it was marked [secure] and encryption would otherwise send it', () => {
    const findings = [
      finding('pupil-name'),
      finding('sensitive/sen'),
      finding('personal-data/upn'),
      finding('request/encrypt', { part: 'subject' }),
      finding('recipients/misdirected', { part: 'recipients' }),
    ];
    const contacts = { ...EXTERNAL, externalRecipientsAreContactsOfNamedPupils: true };
    for (const recipients of [EXTERNAL, contacts]) {
      const verdict = verdictFor(findings, recipients);
      expect(verdict.action).toBe('quarantine');
      expect(verdict.rules.map((rule) => rule.id)).toEqual(expect.arrayContaining(['misdirected', 'pupil-data-to-external']));
      expect(verdict.rules.filter((rule) => rule.action === 'quarantine').map((rule) => rule.id)).toContain('misdirected');
    }
  });
});

describe('precedence', () => {
  it('chooses the most protective action and lists the deciding rules first', () => {
    const verdict = verdictFor([finding('personal-data/upn'), finding('language/profanity'), finding('language/slur')]);
    expect(verdict.action).toBe('quarantine');
    expect(verdict.rules.map((rule) => rule.id)).toEqual(['slur', 'identifier-to-external', 'profanity']);
  });

  it('prefers return over encrypt', () => {
    const verdict = verdictFor([finding('personal-data/nhs-number'), finding('content/chain-letter')]);
    expect(verdict.action).toBe('return');
  });

  it('records the findings each rule fired on', () => {
    const name = finding('pupil-name', { part: 'subject' }, 'Kofi Mensah');
    const verdict = verdictFor([name, finding('language/profanity')]);
    expect(verdict.rules.find((rule) => rule.id === 'pupil-name-in-subject')?.findings).toEqual([name]);
  });
});

describe('named people who are not pupils', () => {
  it('encrypts a named person with special-category data leaving the school, and ignores the name alone', () => {
    const verdict = verdictFor([finding('person-name'), finding('sensitive/health')]);
    expect(verdict.action).toBe('encrypt');
    expect(verdict.rules.map((rule) => rule.id)).toEqual(['person-sensitive-to-external']);
    expect(verdictFor([finding('person-name')]).action).toBe('deliver');
  });
});

describe('who may override what (rule `override`)', () => {
  const rules = () => new Map(defaults.rules.map((rule) => [rule.id, rule]));

  it('states a position on every shipped rule that stops mail', () => {
    for (const rule of rules().values()) if (rule.action === 'return' || rule.action === 'quarantine') expect(rule.override, rule.id).toBeDefined();
  });

  it('never lets a sender set aside slurs, safeguarding outside the DSL, bulk data, webmail data, programs or encryption', () => {
    for (const id of [
      'slur',
      'safeguarding-outside-dsl',
      'bulk-data-to-external',
      'pupil-data-to-personal-webmail',
      'executable-attachment',
      'pupil-data-to-external',
      'identifier-to-external',
      'visible-bulk-recipients',
      'staff-own-webmail',
      'pupil-name-in-subject',
    ]) {
      expect(rules().get(id)?.override, id).toBe('none');
    }
  });

  it('lets the sender justify the low-risk returns, and carries the position into the verdict', () => {
    for (const id of ['profanity', 'pupil-name-to-external', 'chain-letter']) expect(rules().get(id)?.override, id).toBe('justification');
    expect(verdictFor([finding('language/profanity')]).rules[0]?.override).toBe('justification');
    expect(verdictFor([finding('language/slur')]).rules[0]?.override).toBe('none');
  });
});
