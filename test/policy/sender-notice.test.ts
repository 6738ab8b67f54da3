import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/detect/finding.js';
import type { MessageView } from '../../src/message/message-view.js';
import { renderNotice } from '../../src/policy/notice-templates.js';
import { maskIdentifier, rewriteText } from '../../src/policy/rewrite.js';
import { buildSenderNotice } from '../../src/policy/sender-notice.js';
import type { Verdict } from '../../src/policy/verdict.js';
import { finding } from './findings.js';
import { fakeView } from '../detect/fake-directory.js';

function view(subject: string, body: string, to: string[] = ['parent@example.org']): MessageView {
  return fakeView({ subject, body, from: { address: 'teacher@school.sch.uk', displayName: 'A Teacher' }, to: to.map((address) => ({ address, displayName: '' })) });
}

function verdict(action: Verdict['action'], findings: Finding[], ruleId = 'pupil-name-to-external'): Verdict {
  return {
    action,
    findings,
    notifications: [{ to: 'sender', level: 'immediate', ruleId }],
    rules: [{ id: ruleId, action, description: 'd', clause: "St Mary's Chiswick AUP 4.2", reason: 'A pupil is named', findings }],
  };
}

const ENVELOPE = { mailFrom: 'teacher@school.sch.uk', rcptTo: ['parent@example.org'] };

describe('masks', () => {
  it('mask all but the last two characters, keeping the grouping', () => {
    expect(maskIdentifier('943 476 5919')).toBe('••• ••• ••19');
    expect(maskIdentifier('AB123456C')).toBe('•••••••6C');
  });
});

describe('rewriteText', () => {
  it('replaces every occurrence, across line breaks, leaving other words alone', () => {
    const name = { ...finding('pupil-name', { part: 'body' }, 'Kwabena Asante'), replacement: 'K.A.' };
    const swear = finding('language/profanity', { part: 'body' }, 'bloody');
    const text = 'Kwabena Asante did well.\nKwabena\nAsante was bloody brilliant; KWABENA ASANTE too.';
    expect(rewriteText(text, [name, swear])).toBe('K.A. did well.\nK.A. was [removed] brilliant; K.A. too.');
  });
});

describe('buildSenderNotice', () => {
  it('explains a returned message with a rewrite that holds no full name and no identifier', () => {
    const findings = [
      { ...finding('pupil-name', { part: 'subject' }, 'Kwabena Asante'), replacement: 'K.A.' },
      { ...finding('pupil-name', { part: 'body' }, 'Asante, Kwabena'), replacement: 'K.A.' },
      finding('personal-data/nhs-number', { part: 'body' }, '943 476 5919'),
    ];
    const message = view('Report for Kwabena Asante', 'Asante, Kwabena (NHS 943 476 5919) has asthma.');
    const notice = buildSenderNotice(message, ENVELOPE, verdict('return', findings), ['school.sch.uk']);
    expect(notice).toBeDefined();
    expect(notice!.to).toBe('teacher@school.sch.uk');
    expect(notice!.rewrite).toEqual({ subject: 'Report for K.A.', body: 'K.A. (NHS ••• ••• ••19) has asthma.' });
    expect(notice!.suggestSecure).toBe(false);
    const rendered = renderNotice(notice!);
    for (const text of [rendered.subject, rendered.text, rendered.html]) {
      expect(text).not.toMatch(/Kwabena|Asante|943 476/);
    }
    expect(rendered.text).toContain("St Mary's Chiswick AUP 4.2");
    expect(rendered.html).toContain('St Mary&#39;s Chiswick AUP 4.2');
  });

  it('suggests [secure] when encryption would let the content go as it is', () => {
    const findings = [finding('pupil-name', { part: 'body' }, 'Kwabena Asante')];
    expect(rewriteText('Kwabena Asante is here', findings)).toBe("[a pupil's initials] is here");
    const notice = buildSenderNotice(view('Report', 'Kwabena Asante has asthma.'), ENVELOPE, verdict('return', findings), ['school.sch.uk']);
    expect(notice!.suggestSecure).toBe(true);
    expect(renderNotice(notice!).text).toContain('[secure]');
  });

  it('never suggests [secure] for mail going to the wrong family, which encryption does not fix', () => {
    const findings = [finding('pupil-name', { part: 'body' }, 'Kwabena Asante'), finding('recipients/misdirected', { part: 'recipients' }, 'parent@example.org')];
    const notice = buildSenderNotice(view('Report', 'Kwabena Asante has asthma.'), ENVELOPE, verdict('return', findings, 'misdirected'), ['school.sch.uk']);
    expect(notice!.suggestSecure).toBe(false);
    expect(renderNotice(notice!).text).not.toContain('[secure]');
  });

  it('lists the external addresses to move to Bcc', () => {
    const to = ['a@example.org', 'b@example.net', 'office@school.sch.uk'];
    const findings = [finding('recipients/visible-bulk', { part: 'recipients' }, '2 addresses')];
    const notice = buildSenderNotice(view('Trip', 'Dear parents', to), ENVELOPE, verdict('return', findings, 'visible-bulk-recipients'), ['school.sch.uk']);
    expect(notice!.moveToBcc).toEqual(['a@example.org', 'b@example.net']);
    expect(notice!.rewrite).toBeUndefined();
  });

  it('tells nobody about clean mail, and never writes to the null sender', () => {
    const clean: Verdict = { action: 'deliver', findings: [], notifications: [], rules: [] };
    expect(buildSenderNotice(view('Hi', 'Hello'), ENVELOPE, clean, [])).toBeUndefined();
    const findings = [finding('language/profanity', { part: 'body' }, 'bloody')];
    expect(buildSenderNotice(view('Hi', 'bloody'), { ...ENVELOPE, mailFrom: '' }, verdict('return', findings), [])).toBeUndefined();
  });

  it('escapes the sender’s text in HTML', () => {
    const findings = [finding('language/profanity', { part: 'body' }, 'bloody')];
    const notice = buildSenderNotice(view('<script>', 'bloody <img src=x onerror=alert(1)>'), ENVELOPE, verdict('return', findings), []);
    const html = renderNotice(notice!).html;
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>');
  });
});
