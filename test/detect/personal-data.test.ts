import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/detect/finding.js';
import { createPersonalDataDetector, detectPersonalData } from '../../src/detect/personal-data.js';
import type { TextPiece } from '../../src/message/message-view.js';
import { fakeContext, fakeDirectory, fakeView } from './fake-directory.js';

const context = fakeContext();

function findingsIn(body: string, detect = detectPersonalData): readonly Finding[] {
  return detect(fakeView({ body }), context);
}

function only(body: string): Finding {
  const findings = findingsIn(body);
  expect(findings).toHaveLength(1);
  const [finding] = findings;
  if (finding === undefined) throw new Error('no finding');
  return finding;
}

describe('detectPersonalData: a home address without a postcode', () => {
  const aboutAva = fakeContext({ directory: fakeDirectory([{ id: 'P1', forename: 'Ava', surname: 'Example' }]) });
  const addressesIn = (body: string) =>
    detectPersonalData(fakeView({ body }), aboutAva)
      .filter((finding) => finding.category === 'personal-data/address')
      .map((finding) => [finding.match, finding.severity]);

  it.each([
    ['Ava Example has moved; please post her report to 14 Oakfield Road, Millbridge.', '14 Oakfield Road, Millbridge'],
    ['The family now lives at 7a Mill Lane\nLittle Wickham', '7a Mill Lane\nLittle Wickham'],
    ['Home address: Flat 2, 30 Station Road, Springfield', 'Flat 2, 30 Station Road, Springfield'],
  ])('finds %j', (body, match) => {
    expect(addressesIn(body)).toEqual([[match, 'high']]);
  });

  it.each([
    'The away match is at 3 Mill Lane, Springfield on Saturday.',
    'Deliveries go to 1 School Lane, Springfield.',
    'Ava Example will meet us at the gate.\n\n'.concat('The coach is booked. '.repeat(10), 'The venue is 3 Mill Lane, Springfield.'),
    'Year 6 Mill Lane trip',
  ])('finds nothing in %j, which is nobody’s home', (body) => {
    expect(addressesIn(body)).toEqual([]);
  });

  it('reports an address with a postcode once, as before', () => {
    expect(addressesIn('Ava Example: 14 Oakfield Road, Millbridge LS6 2AB')).toEqual([['14 Oakfield Road, Millbridge LS6 2AB', 'high']]);
  });
});

describe('detectPersonalData', () => {
  it.each([
    ['Her UPN is B801200005001.', 'personal-data/upn', 'B801200005001', 'high'],
    ['ULN 4817263953 for the exam entry', 'personal-data/uln', '4817263953', 'high'],
    ['NHS number 943 476 5919', 'personal-data/nhs-number', '943 476 5919', 'high'],
    ['NI number AB 12 34 56 C', 'personal-data/ni-number', 'AB 12 34 56 C', 'high'],
    ['Pay with 4111 1111 1111 1111', 'personal-data/payment-card', '4111 1111 1111 1111', 'high'],
    ['Sort code 20-00-00 account 12345678', 'personal-data/bank-account', '20-00-00 account 12345678', 'high'],
    ['DOB: 03/03/2015', 'personal-data/date-of-birth', '03/03/2015', 'high'],
    ['Home: 12 Acacia Avenue, Leeds LS6 2AB', 'personal-data/address', '12 Acacia Avenue, Leeds LS6 2AB', 'high'],
    ['Moved to LS6 2AB last week', 'personal-data/address', 'LS6 2AB', 'medium'],
    ['Mum is on 07700 900123', 'personal-data/phone', '07700 900123', 'medium'],
  ] as const)('finds %j as %s', (body, category, match, severity) => {
    const finding = only(body);
    expect(finding).toMatchObject({ detector: 'personal-data', category, match, severity, location: { part: 'body' } });
    expect(body.slice(finding.span?.start, finding.span?.end)).toBe(match);
    expect(finding.explanation).toMatch(/ appears in the body\.$/);
    expect(finding.suggestion).toContain('[secure]');
  });

  it('explains in plain words and suggests a masked form', () => {
    const finding = only('NI number AB 12 34 56 C');
    expect(finding.explanation).toBe('A National Insurance number appears in the body.');
    expect(finding.suggestion).toBe('Mask it, e.g. AB •• •• •• C, or send the message securely with [secure] in the subject.');
    expect(only('card 4111 1111 1111 1111').suggestion).toContain('•••• •••• •••• 1111');
  });

  it('scans every piece and says where each finding is', () => {
    const pieces: TextPiece[] = [
      { location: { part: 'subject' }, text: 'UPN B801200005001' },
      { location: { part: 'body' }, text: 'see attached' },
      { location: { part: 'attachment-name', name: 'ULN 4817263953.pdf' }, text: 'ULN 4817263953.pdf' },
      { location: { part: 'attachment', name: 'contacts.csv' }, text: 'parent,07700 900123' },
    ];
    const findings = detectPersonalData(fakeView({ pieces }), context);
    expect(findings.map((finding) => [finding.category, finding.explanation])).toEqual([
      ['personal-data/upn', 'A Unique Pupil Number (UPN) appears in the subject.'],
      ['personal-data/uln', 'A Unique Learner Number (ULN) appears in the name of the attachment "ULN 4817263953.pdf".'],
      ['personal-data/phone', 'A telephone number appears in the attachment "contacts.csv".'],
    ]);
  });

  it('reports a CHI number that is also shaped like a telephone number once, as an NHS/CHI number', () => {
    const findings = findingsIn('CHI 0101011237');
    expect(findings.map((finding) => finding.category)).toEqual(['personal-data/nhs-number']);
  });

  it('finds several kinds in one body, in order of importance then position', () => {
    const body = 'A.O., DOB 03/03/2015, 12 Acacia Avenue, Leeds LS6 2AB, mum 07700 900123, NHS 943 476 5919.';
    expect(findingsIn(body).map((finding) => finding.category)).toEqual([
      'personal-data/nhs-number',
      'personal-data/date-of-birth',
      'personal-data/address',
      'personal-data/phone',
    ]);
  });

  it.each(['\n', '\r\n'])("leaves out the sender's own contact details in the signature, but not identifiers (%j)", (newline) => {
    const body = ['Please call me.', '-- ', 'Mrs T. Example, Springfield Primary', '1 School Lane, Springfield LS6 2AB', 'Tel 0161 496 0123', 'NI AB 12 34 56 C'].join(newline);
    expect(findingsIn(body).map((finding) => finding.category)).toEqual(['personal-data/ni-number']);
  });

  it("leaves out the numbers under the sender's sign-off, but not those in the mail quoted below it", () => {
    const body = [
      'Thanks for letting us know.',
      '',
      'Kind regards,',
      'Mr A. Example',
      'Springfield Primary, 1 School Lane, Springfield LS6 2AB',
      'Tel 0161 496 0123',
      '',
      'From: A Parent <parent@example.org>',
      'Sent: 3 November 2025',
      'My new number is 07700 900123.',
      'Thanks, Jo',
      'Tel 07700 900456',
    ].join('\n');
    expect(findingsIn(body).map((finding) => finding.match)).toEqual(['07700 900123', '07700 900456']);
  });

  it('reads the signature rule only in the body', () => {
    const piece: TextPiece = { location: { part: 'attachment', name: 'letter.txt' }, text: 'Hi\n-- \nTel 0161 496 0123' };
    expect(detectPersonalData(fakeView({ pieces: [piece] }), context)).toHaveLength(1);
  });

  it("ignores the school's own numbers and postcodes, in any format", () => {
    const detect = createPersonalDataDetector({ ignorePhoneNumbers: ['+44 161 496 0123'], ignorePostcodes: ['ls62ab'] });
    const body = 'Office 0161 496 0123, Springfield Primary, LS6 2AB. Mum 07700 900123.';
    expect(findingsIn(body, detect).map((finding) => finding.match)).toEqual(['07700 900123']);
    expect(findingsIn(body).map((finding) => finding.match)).toEqual(['LS6 2AB', '0161 496 0123', '07700 900123']);
  });

  it('finds nothing in ordinary school mail', () => {
    expect(findingsIn('The Year 6 trip is on 12/03/2025 at 9:30. Please bring £5 and a packed lunch.')).toEqual([]);
  });

  // Its speed is measured by `node dist/bench/detectors.js`, not asserted here.
  it('keeps every finding of a long contact list', () => {
    const rows = Array.from({ length: 5000 }, (_, row) => `parent ${row},07700 9${String(row % 1000).padStart(5, '0')}`);
    const piece: TextPiece = { location: { part: 'attachment', name: 'contacts.csv' }, text: rows.join('\n') };
    const findings = detectPersonalData(fakeView({ pieces: [piece] }), context);
    expect(findings).toHaveLength(5000);
  });
});

describe('personal-data detector: dates of birth in tables', () => {
  const text = 'UPN\tName\tDOB\nX\tCHEN, Yutong\t15/12/2014\nY\tEVANS, Ella\t23/03/2015\nZ\tKAYA, Yusuf\tunknown';
  const attachment = {
    name: 'class.xlsx',
    declaredType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    detectedType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    sizeBytes: 100,
    facts: [],
    tableRows: [
      ['UPN', 'Name', 'DOB'],
      ['X', 'CHEN, Yutong', '15/12/2014'],
      ['Y', 'EVANS, Ella', '23/03/2015'],
      ['Z', 'KAYA, Yusuf', 'unknown'],
    ],
  };
  const view = { ...fakeView({ subject: 'List', body: '' }), attachments: [attachment], pieces: [{ location: { part: 'attachment' as const, name: 'class.xlsx' }, text }] };

  it('finds every date under a DOB header, however far below it, with its span', () => {
    const findings = detectPersonalData(view, fakeContext({})).filter((f) => f.category === 'personal-data/date-of-birth');
    expect(findings.map((f) => f.match)).toEqual(['15/12/2014', '23/03/2015']);
    expect(findings.map((f) => text.slice(f.span!.start, f.span!.end))).toEqual(['15/12/2014', '23/03/2015']);
  });

  it('does not treat dates in other columns as dates of birth', () => {
    const rows = [
      ['Trip', 'Date'],
      ['Museum', '15/12/2025'],
    ];
    const other = {
      ...view,
      attachments: [{ ...attachment, tableRows: rows }],
      pieces: [{ location: { part: 'attachment' as const, name: 'class.xlsx' }, text: 'Trip\tDate\nMuseum\t15/12/2025' }],
    };
    expect(detectPersonalData(other, fakeContext({})).filter((f) => f.category === 'personal-data/date-of-birth')).toEqual([]);
  });
});
