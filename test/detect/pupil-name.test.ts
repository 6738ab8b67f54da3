import { describe, expect, it } from 'vitest';
import { detectPupilNames } from '../../src/detect/pupil-name.js';
import type { ScanContext } from '../../src/detect/detector.js';
import type { MessageView, TextPiece } from '../../src/message/message-view.js';
import { buildDirectory } from '../../src/roster/directory.js';
import type { StaffMember } from '../../src/roster/roster.js';
import { pupil } from '../roster/people.js';

const STAFF: StaffMember = {
  id: 'S-JB',
  legalForename: 'Jo',
  preferredForename: undefined,
  middleNames: [],
  legalSurname: 'Bell',
  preferredSurname: undefined,
  email: 'jo.bell@example.sch.uk',
};

const directory = buildDirectory([pupil('P-KM', 'Kwame', 'Mensah'), pupil('P-JB', 'Jo', 'Bell'), pupil('P-HY', 'Hope', 'Young')], [STAFF]);

function view(pieces: readonly TextPiece[]): MessageView {
  return { messageId: undefined, subject: '', from: undefined, to: [], cc: [], bcc: [], pieces, attachments: [], problems: [] };
}

function context(mailFrom = 'head@example.sch.uk'): ScanContext {
  return { envelope: { mailFrom, rcptTo: ['parent@example.net'] }, directory, schoolDomains: ['example.sch.uk'] };
}

describe('detectPupilNames', () => {
  it('reports a pupil in the subject line as critical, with everything a finding needs', () => {
    const findings = detectPupilNames(view([{ location: { part: 'subject' }, text: 'Re: Kwame Mensah trip' }]), context());
    expect(findings).toEqual([
      {
        detector: 'pupil-name',
        category: 'pupil-name',
        severity: 'critical',
        location: { part: 'subject' },
        match: 'Kwame Mensah',
        span: { start: 4, end: 16 },
        pupilId: 'P-KM',
        explanation: "A pupil's full name appears in the subject line. School policy: children are referred to by initials in email.",
        suggestion: 'use initials: K.M.',
        replacement: 'K.M.',
      },
    ]);
  });

  it.each([
    [{ part: 'body' } as const, 'in the message'],
    [{ part: 'attachment', name: 'report.docx' } as const, 'in an attachment'],
    [{ part: 'attachment-name', name: 'MENSAH Kwame.pdf' } as const, "in an attachment's file name"],
  ])('reports a pupil at %o as high', (location, where) => {
    const text = location.part === 'attachment-name' ? 'MENSAH Kwame.pdf' : 'Notes: mensah, kwame was late.';
    const [finding] = detectPupilNames(view([{ location, text }]), context());
    expect(finding).toMatchObject({ severity: 'high', location, pupilId: 'P-KM', suggestion: 'use initials: K.M.' });
    expect(finding?.explanation).toContain(where);
  });

  it('reports every match in every piece, with spans into that piece', () => {
    const findings = detectPupilNames(
      view([
        { location: { part: 'subject' }, text: 'Trip' },
        { location: { part: 'body' }, text: "Kwame Mensah and Hope Young's forms. YOUNG, Hope again." },
      ]),
      context(),
    );
    expect(findings.map((finding) => [finding.match, finding.pupilId, finding.span])).toEqual([
      ['Kwame Mensah', 'P-KM', { start: 0, end: 12 }],
      ['Hope Young', 'P-HY', { start: 17, end: 27 }],
      ['YOUNG, Hope', 'P-HY', { start: 37, end: 48 }],
    ]);
  });

  it('finds nothing in a message that names no pupil in full', () => {
    const text = 'K.M. and H.Y. were late; I hope young people will join us. Kwame M. too.';
    expect(detectPupilNames(view([{ location: { part: 'body' }, text }]), context())).toEqual([]);
  });

  it('never puts the name in the explanation', () => {
    const [finding] = detectPupilNames(view([{ location: { part: 'attachment', name: 'Kwame Mensah.docx' }, text: 'Kwame Mensah' }]), context());
    expect(finding?.explanation).not.toMatch(/Kwame|Mensah/);
  });

  describe('a pupil who shares a full name with a member of staff', () => {
    const body = (text: string): MessageView => view([{ location: { part: 'body' }, text }]);

    it('is reported when the text does not show the adult is meant', () => {
      expect(detectPupilNames(body('Jo Bell was upset at lunch.'), context()).map((finding) => finding.pupilId)).toEqual(['P-JB']);
    });

    it("is not reported in the staff member's own signature", () => {
      expect(detectPupilNames(body('Thanks,\nJo Bell'), context('jo.bell@example.sch.uk'))).toEqual([]);
    });

    it.each(['Mrs Jo Bell', 'Ms. Jo Bell', 'Dr Jo Bell'])('is not reported after a title: %s', (text) => {
      expect(detectPupilNames(body(`Please ask ${text} to call.`), context())).toEqual([]);
    });
  });
});

describe('detectPupilNames: names not written as the roster has them', () => {
  const school = buildDirectory(
    [pupil('P-SH', 'Samuel', 'Hughesby'), pupil('P-TF', 'Thomas', 'Fairclough')],
    [{ ...STAFF, id: 'S-SH', legalForename: 'Sam', legalSurname: 'Hughesby', email: 'sam.hughesby@example.sch.uk' }],
  );
  const ask = (text: string, part: 'subject' | 'body' = 'body') =>
    detectPupilNames(view([{ location: { part }, text }]), { ...context(), directory: school }).map((finding) => [finding.match, finding.pupilId, finding.severity]);

  it('reports a short form, a slip and a middle initial like the written name, in the subject too', () => {
    expect(ask('Re: Tom Fairclough', 'subject')).toEqual([['Tom Fairclough', 'P-TF', 'critical']]);
    expect(ask('Thomas Fairclogh was late')).toEqual([['Thomas Fairclogh', 'P-TF', 'high']]);
    expect(ask('Thomas J. Fairclough was late')).toEqual([['Thomas J. Fairclough', 'P-TF', 'high']]);
  });

  it('drops a short form that is a member of staff as written, and one after a title', () => {
    expect(ask('Sam Hughesby will lead the trip')).toEqual([]);
    expect(ask('Samuel Hughesby will go on the trip')).toEqual([['Samuel Hughesby', 'P-SH', 'high']]);
    expect(ask('Thank you, Mr Tom Fairclough')).toEqual([]);
  });
});
