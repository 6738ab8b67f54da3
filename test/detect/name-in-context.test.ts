import { describe, expect, it } from 'vitest';
import type { ScanContext } from '../../src/detect/detector.js';
import { detectPupilNames } from '../../src/detect/pupil-name.js';
import type { MessageView } from '../../src/message/message-view.js';
import { buildDirectory } from '../../src/roster/directory.js';
import { pupil } from '../roster/people.js';

/** Invented pupils whose names are also places, and one whose parents share her surname. */
const directory = buildDirectory([pupil('P-GC', 'Grace', 'Church'), pupil('P-SP', 'Stanley', 'Park'), pupil('P-RH', 'Rose', 'Hill'), pupil('P-ZK', 'Zara', 'Khan')], []);
const context: ScanContext = { envelope: { mailFrom: 'office@example.sch.uk', rcptTo: ['parent@example.net'] }, directory, schoolDomains: ['example.sch.uk'] };

function pupilsIn(body: string): string[] {
  const view: MessageView = {
    messageId: undefined,
    subject: '',
    from: undefined,
    to: [],
    cc: [],
    bcc: [],
    pieces: [{ location: { part: 'body' }, text: body }],
    attachments: [],
    problems: [],
  };
  return detectPupilNames(view, context).map((finding) => finding.match);
}

describe('pupil names used as places', () => {
  it.each([
    'The carol service is at Grace Church on Sunday.',
    'Our partner school, Rose Hill Primary, joins us for sports day.',
    'The Year 4 trip is a walk to Stanley Park and back.',
    'Grace Church of England Primary School sent their choir.',
    'Parking on Stanley Park Road is limited.',
    'We met near Stanley Park at ten.',
  ])('%j names no pupil', (body) => {
    expect(pupilsIn(body)).toEqual([]);
  });

  it.each([
    ['Grace Church in Year 4 read beautifully today.', 'Grace Church'],
    ['I spoke to Stanley Park about his homework.', 'Stanley Park'],
    ["We were at Stanley Park's house for the party.", 'Stanley Park'],
    ['Rose Hill has been chosen for the choir.', 'Rose Hill'],
  ])('%j names the pupil', (body, name) => {
    expect(pupilsIn(body)).toEqual([name]);
  });
});

describe('a parent and a child are not one name', () => {
  it.each(['Dear Mr and Mrs Khan,\n\nZara has settled in well this term.', 'Dear Mrs Khan, Zara has settled in well.', 'Thank you, Dr Khan. Zara will bring the form.'])(
    '%j names no pupil',
    (body) => {
      expect(pupilsIn(body)).toEqual([]);
    },
  );

  it.each([
    ['Khan, Zara (Y4) – reading group', 'Khan, Zara'],
    ['Dear Mrs Khan,\n\nZara Khan has settled in well.', 'Zara Khan'],
  ])('%j still names the pupil', (body, name) => {
    expect(pupilsIn(body)).toEqual([name]);
  });
});
