import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createRecipientsDetector, webmailVocabularySchema } from '../../src/detect/recipients.js';
import type { MailAddress, MessageView } from '../../src/message/message-view.js';
import { fakeContext, fakeDirectory, fakeView } from './fake-directory.js';

const { domains } = webmailVocabularySchema.parse(parse(readFileSync(new URL('../../rules/vocabulary/webmail-domains.yaml', import.meta.url), 'utf8')));
const detect = createRecipientsDetector({ webmailDomains: domains, visibleBulkThreshold: 8 });

const directory = fakeDirectory(
  [
    { id: 'UPN-A', forename: 'Tobias', surname: 'Renwick', contactEmails: ['renwick.family@gmail.com', 'p.renwick@outlook.com'] },
    { id: 'UPN-B', forename: 'Isla', surname: 'Fairbairn', contactEmails: ['kfairbairn@hotmail.co.uk'] },
    { id: 'UPN-C', forename: 'Kofi', surname: 'Asante', contactEmails: ['asante.home@btinternet.com'], email: 'k.asante@school.sch.uk' },
    { id: 'UPN-D', forename: 'Maisie', surname: 'Asante', contactEmails: ['asante.home@btinternet.com'] },
  ],
  [{ id: 'S1', forename: 'Harriet', surname: 'Quayle', email: 'h.quayle@school.sch.uk' }],
);

const mail = (address: string): MailAddress => ({ address, displayName: '' });

function scan(view: MessageView, rcptTo: string[]) {
  return detect(view, fakeContext({ directory, envelope: { mailFrom: 'h.quayle@school.sch.uk', rcptTo } }));
}

function categories(view: MessageView, rcptTo: string[]) {
  return scan(view, rcptTo).map((finding) => finding.category);
}

describe('recipients detector: visible bulk', () => {
  const parents = Array.from({ length: 8 }, (_, index) => `parent${index}@example.org`);

  it('fires once when the threshold of external addresses are visible in To and Cc', () => {
    const view = fakeView({ to: parents.slice(0, 5).map(mail), cc: parents.slice(5).map(mail) });
    const findings = scan(view, []);
    expect(findings).toEqual([
      {
        detector: 'recipients',
        category: 'recipients/visible-bulk',
        severity: 'high',
        location: { part: 'recipients' },
        match: parents.join(', '),
        explanation: '8 addresses outside the school are in To or Cc, so every recipient can see all of them. Email addresses are personal data.',
        suggestion: 'Move these addresses to Bcc.',
      },
    ]);
  });

  it('does not count the school’s own addresses, its subdomains, repeats or Bcc', () => {
    const view = fakeView({
      to: [...parents.slice(0, 6).map(mail), mail('office@school.sch.uk'), mail('head@staff.school.sch.uk'), mail('PARENT0@example.org')],
      cc: [mail('parent1@example.org')],
      bcc: parents.map(mail),
    });
    expect(categories(view, [])).toEqual([]);
  });
});

describe('recipients detector: personal webmail', () => {
  it('fires for a webmail recipient who is not a known contact, with the address as the match', () => {
    const findings = scan(fakeView(), ['someone.else@gmail.com', 'office@school.sch.uk', 'partner@council.gov.uk']);
    expect(findings).toEqual([
      expect.objectContaining({
        category: 'recipients/personal-webmail',
        severity: 'high',
        location: { part: 'recipients' },
        match: 'someone.else@gmail.com',
        explanation: expect.stringContaining('not a parent or carer contact'),
      }),
    ]);
  });

  it('says when the address looks like a member of staff’s own account', () => {
    const [finding] = scan(fakeView(), ['harriet.quayle82@hotmail.co.uk']);
    expect(finding?.explanation).toContain("looks like a member of staff's own account");
  });

  it.each(['renwick.family@gmail.com', 'KFairbairn@Hotmail.co.uk', 'asante.home@btinternet.com'])('does not fire for a parent’s webmail address on the roster: %s', (address) => {
    expect(categories(fakeView(), [address])).toEqual([]);
  });

  it.each(['someone@gmail.com.evil.example', 'someone@mygmail.com', 'someone@example.com'])('matches whole webmail domains only: %s', (address) => {
    expect(categories(fakeView(), [address])).toEqual([]);
  });

  it('reports a recipient listed twice once', () => {
    expect(categories(fakeView(), ['me@yahoo.co.uk', 'ME@yahoo.co.uk'])).toEqual(['recipients/personal-webmail']);
  });
});

describe('recipients detector: misdirected', () => {
  const aboutTobias = fakeView({ subject: 'Progress', body: 'Dear parent, Tobias Renwick has made excellent progress in reading.' });

  it('fires when a named pupil’s contacts are missing and another pupil’s contacts receive it', () => {
    const findings = scan(aboutTobias, ['kfairbairn@hotmail.co.uk']);
    expect(findings).toEqual([
      {
        detector: 'recipients',
        category: 'recipients/misdirected',
        severity: 'critical',
        location: { part: 'recipients' },
        match: 'kfairbairn@hotmail.co.uk',
        pupilId: 'UPN-A',
        explanation: 'This message names a pupil, but this recipient is a parent or carer of a different pupil, not of the pupil named. It may be going to the wrong family.',
        suggestion: "Check the recipient: address autocomplete may have picked another family's address.",
      },
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/Tobias|Renwick|Isla|Fairbairn/);
  });

  it('fires for another family’s address in Cc or Bcc even when the named pupil’s own contact receives it', () => {
    const findings = scan(aboutTobias, ['p.renwick@outlook.com', 'kfairbairn@hotmail.co.uk']);
    expect(findings.map((finding) => [finding.category, finding.match, finding.pupilId])).toEqual([['recipients/misdirected', 'kfairbairn@hotmail.co.uk', 'UPN-A']]);
  });

  it('does not fire when only the named pupil’s own contacts receive it', () => {
    expect(categories(aboutTobias, ['p.renwick@outlook.com', 'renwick.family@gmail.com', 'office@school.sch.uk'])).toEqual([]);
  });

  it('reports each named pupil to each recipient who is none of theirs', () => {
    const view = fakeView({ body: 'Tobias Renwick and Isla Fairbairn will share the lead role.' });
    expect(scan(view, ['asante.home@btinternet.com']).map((finding) => [finding.match, finding.pupilId])).toEqual([
      ['asante.home@btinternet.com', 'UPN-A'],
      ['asante.home@btinternet.com', 'UPN-B'],
    ]);
  });

  it('does not fire for siblings who share their contacts', () => {
    const view = fakeView({ body: 'Kofi Asante and Maisie Asante both took part in the concert.' });
    expect(categories(view, ['asante.home@btinternet.com'])).toEqual([]);
  });

  it('does not fire when the other pupil is named too', () => {
    const view = fakeView({ body: 'Tobias Renwick and Isla Fairbairn will share the lead role.' });
    expect(categories(view, ['kfairbairn@hotmail.co.uk'])).toEqual([]);
  });

  it('does not fire for recipients who are nobody’s contact, or when no pupil is named', () => {
    expect(categories(aboutTobias, ['office@school.sch.uk', 'ep@council.gov.uk'])).toEqual([]);
    expect(categories(fakeView({ body: 'The trip is on Friday.' }), ['kfairbairn@hotmail.co.uk'])).toEqual([]);
  });

  it('counts a pupil’s own school address as that pupil’s contact', () => {
    const view = fakeView({ subject: 'Isla Fairbairn: detention' });
    expect(scan(view, ['k.asante@school.sch.uk']).map((finding) => [finding.category, finding.match, finding.pupilId])).toEqual([
      ['recipients/misdirected', 'k.asante@school.sch.uk', 'UPN-B'],
    ]);
  });

  it.each([
    ['the subject', { part: 'subject' }],
    ['an attachment’s text', { part: 'attachment', name: 'plan.docx' }],
    ['text read from an image by OCR', { part: 'attachment', name: 'scan.png', ocr: true }],
    ['an attachment’s file name', { part: 'attachment-name', name: 'Tobias Renwick IEP.pdf' }],
  ] as const)('reads a pupil named only in %s', (_, location) => {
    const view = fakeView({ subject: 'Plan', body: 'Please see attached.', pieces: [{ location, text: 'Tobias Renwick' }] });
    expect(scan(view, ['kfairbairn@hotmail.co.uk']).map((finding) => [finding.category, finding.pupilId])).toEqual([['recipients/misdirected', 'UPN-A']]);
  });

  describe('names the recipient wrote, quoted back to them', () => {
    const parentWrote = (author: string) =>
      [
        'Thank you, I have spoken to both children.',
        '',
        `From: ${author}`,
        'Sent: 03 November 2025 19:42',
        'To: Harriet Quayle',
        'Subject: Playground',
        '',
        'Tobias Renwick pushed my daughter at lunchtime.',
      ].join('\n');
    const to = [{ address: 'kfairbairn@hotmail.co.uk', displayName: 'Kirsty Fairbairn' }];

    it('are not misdirected: the parent wrote them', () => {
      expect(categories(fakeView({ to, body: parentWrote('Kirsty Fairbairn <kfairbairn@hotmail.co.uk>') }), ['kfairbairn@hotmail.co.uk'])).toEqual([]);
      expect(categories(fakeView({ to, body: parentWrote('Kirsty Fairbairn') }), ['kfairbairn@hotmail.co.uk'])).toEqual([]);
    });

    it('are misdirected when someone else wrote the quoted message, or the reply names the pupil too', () => {
      expect(categories(fakeView({ to, body: parentWrote('School Office <office@school.sch.uk>') }), ['kfairbairn@hotmail.co.uk'])).toEqual(['recipients/misdirected']);
      const named = parentWrote('Kirsty Fairbairn <kfairbairn@hotmail.co.uk>').replace('both children', 'Tobias Renwick');
      expect(categories(fakeView({ to, body: named }), ['kfairbairn@hotmail.co.uk'])).toEqual(['recipients/misdirected']);
    });

    it('are misdirected to anyone else who receives the reply', () => {
      const findings = scan(fakeView({ to, body: parentWrote('Kirsty Fairbairn <kfairbairn@hotmail.co.uk>') }), ['kfairbairn@hotmail.co.uk', 'asante.home@btinternet.com']);
      expect(findings.map((finding) => [finding.match, finding.pupilId])).toEqual([['asante.home@btinternet.com', 'UPN-A']]);
    });
  });

  it('does not take a member of staff who shares a pupil’s name for the pupil', () => {
    const staffDirectory = fakeDirectory(
      [
        { id: 'UPN-A', forename: 'Tobias', surname: 'Renwick', contactEmails: ['p.renwick@outlook.com'] },
        { id: 'UPN-B', forename: 'Isla', surname: 'Fairbairn', contactEmails: ['kfairbairn@hotmail.co.uk'] },
      ],
      [{ id: 'S2', forename: 'Tobias', surname: 'Renwick', email: 't.renwick@school.sch.uk' }],
    );
    const view = fakeView({ body: 'Dear Mrs Fairbairn, Isla read beautifully today.\n\nMr Tobias Renwick' });
    const context = fakeContext({ directory: staffDirectory, envelope: { mailFrom: 't.renwick@school.sch.uk', rcptTo: ['kfairbairn@hotmail.co.uk'] } });
    expect(detect(view, context)).toEqual([]);
  });
});

describe('createRecipientsDetector', () => {
  it.each([0, 1, 7.5])('refuses a visible-bulk threshold of %s when built', (visibleBulkThreshold) => {
    expect(() => createRecipientsDetector({ webmailDomains: [], visibleBulkThreshold })).toThrow(
      expect.objectContaining({ code: 'RECIPIENTS_DETECTOR_OPTIONS_INVALID', disposition: 'configuration' }),
    );
  });

  it('validates the webmail domain list', () => {
    expect(webmailVocabularySchema.safeParse({ domains: ['Gmail.com'] }).success).toBe(false);
    expect(webmailVocabularySchema.safeParse({ domains: ['@gmail.com'] }).success).toBe(false);
    expect(domains).toEqual(expect.arrayContaining(['gmail.com', 'hotmail.co.uk', 'btinternet.com', 'proton.me']));
  });
});
