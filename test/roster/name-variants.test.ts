import { describe, expect, it } from 'vitest';
import { buildDirectory } from '../../src/roster/directory.js';
import { isOneLetterSlip, loadShortForms, parseShortForms } from '../../src/roster/name-variants.js';
import type { Pupil } from '../../src/roster/roster.js';
import { pupil, staffMember } from './people.js';

const ROSTER: readonly Pupil[] = [
  pupil('P-TF', 'Thomas', 'Fairclough'),
  pupil('P-IO', 'Isabella', 'Okonjo'),
  pupil('P-WB', 'William', 'Brown'),
  pupil('P-MR', 'Mohammed', 'Rahmanov'),
  pupil('P-AN', 'Aleksandra', 'Nowicka'),
  pupil('P-LR', 'Lisa', 'Rahmanov'),
  pupil('P-DO', 'Daniel', 'Ogunleye'),
  pupil('P-DK', 'Daniel', 'Kettering', { middleNames: ['Rhys'] }),
  pupil('P-SH', 'Samuel', 'Hughesby'),
  pupil('P-CW', 'Charlotte', 'Whitmore'),
  pupil('P-JM', 'Jacob', 'Marlowe'),
  pupil('P-HS', 'Harriet', 'Stone'),
  pupil('P-JK', 'Joanne', 'Kettleby'),
];
const STAFF = [staffMember('S-SH', 'Sam', 'Hughesby'), staffMember('S-FB', 'Fiona', 'Brandreth')];
const directory = buildDirectory(ROSTER, STAFF);

function found(text: string): [string, string, string | undefined][] {
  return directory.findPupilNames(text).map((match) => [match.text, match.personId, match.variant]);
}

describe('short forms of a pupil forename (nickname dataset)', () => {
  it.each([
    ['Tom Fairclough was late', 'Tom Fairclough', 'P-TF'],
    ['Re: Tommy Fairclough', 'Tommy Fairclough', 'P-TF'],
    ['FAIRCLOUGH, Tom', 'FAIRCLOUGH, Tom', 'P-TF'],
    ['Fairclough Tom (Y4)', 'Fairclough Tom', 'P-TF'],
    ['Izzy Okonjo has settled', 'Izzy Okonjo', 'P-IO'],
    ['Bella Okonjo has settled', 'Bella Okonjo', 'P-IO'],
    ['Billy Brown read well', 'Billy Brown', 'P-WB'],
    ['Mo Rahmanov read well', 'Mo Rahmanov', 'P-MR'],
    ['Ola Nowicka read well', 'Ola Nowicka', 'P-AN'],
    ['Lottie Whitmore read well', 'Lottie Whitmore', 'P-CW'],
    ['Jake Marlowe read well', 'Jake Marlowe', 'P-JM'],
    ["Jake Marlowe's book", 'Jake Marlowe', 'P-JM'],
  ])('finds %j', (text, match, id) => {
    expect(found(text)).toEqual([[match, id, 'nickname']]);
  });

  it('gives the initials of the name as written', () => {
    expect(directory.findPupilNames('Tom Fairclough')[0]?.initials).toBe('T.F.');
  });

  it.each([
    // The short form must be of this pupil's forename, with this pupil's surname.
    'Tom Okonjo',
    'Izzy Fairclough',
    'Tom Brown',
    // Short forms are read only with a capital, and ordinary words keep their rule.
    'tom fairclough',
    'we will bill brown for it',
    // Initials and half names are never names.
    'T. Fairclough',
    'Tom F.',
  ])('does not find %j', (text) => {
    expect(found(text)).toEqual([]);
  });

  it('reads a name written as the roster has it as that pupil, not as a short form of another', () => {
    // Lisa is a short form of Elizabeth in the dataset; Lisa Rahmanov is on the roster herself.
    expect(found('Lisa Rahmanov')).toEqual([['Lisa Rahmanov', 'P-LR', undefined]]);
  });

  it('keeps the adult when a short form is also a member of staff as written', () => {
    // Staff Sam Hughesby; pupil Samuel Hughesby: the index reports the pupil's reading, marked as a short form,
    // and the pupil-name detector drops it (test/detect/pupil-name.test.ts).
    expect(found('Sam Hughesby')).toEqual([['Sam Hughesby', 'P-SH', 'nickname']]);
  });
});

describe('middle initials the roster does not give', () => {
  it.each([
    ['Daniel T. Ogunleye joined', 'Daniel T. Ogunleye', 'P-DO'],
    ['Daniel T Ogunleye joined', 'Daniel T Ogunleye', 'P-DO'],
    ['Daniel X. Kettering joined', 'Daniel X. Kettering', 'P-DK'],
  ])('finds %j', (text, match, id) => {
    expect(found(text)).toEqual([[match, id, 'middle-initial']]);
  });

  it('reads the roster middle initial as written, not as a variant', () => {
    expect(found('Daniel R. Kettering')).toEqual([['Daniel R. Kettering', 'P-DK', undefined]]);
  });

  it.each(['Daniel T. Okonjo', 'daniel t ogunleye', 'Daniel T.. Ogunleye'])('does not find %j', (text) => {
    expect(found(text)).toEqual([]);
  });
});

describe('one-letter slips', () => {
  it.each([
    ['Thomas Fairclogh', 'P-TF'], // missing letter
    ['Thomas Fiarclough', 'P-TF'], // transposed
    ['Thomas Fairclouggh', 'P-TF'], // doubled
    ['Thomas Fairclouhg', 'P-TF'], // transposed at the end
    ['Thomas Fairdlough', 'P-TF'], // wrong letter
    ['Thoams Fairclough', 'P-TF'], // forename slipped, surname exact
    ['FAIRCLOGH, Thomas', 'P-TF'],
    ['Daniel Ogunelye', 'P-DO'],
    ['Joannne Kettleby', 'P-JK'],
    ["Thomas Fairclogh's", 'P-TF'],
  ])('finds %j', (text, id) => {
    const match = text.replace(/'s$/, '');
    expect(found(`${text} was late`)).toEqual([[match, id, 'slip']]);
  });

  it.each([
    // Both parts slipped, or the other part not this pupil's.
    'Thoams Fairclogh',
    'Tom Fairclogh',
    // A plural is a family, not a slip.
    'Daniel Ogunleyes',
    // The slipped form is an English word, an ordinary word or someone's name.
    'Harriet Stoned', // "stoned" is a word (and Stone too short anyway)
    'Lisa Rahmanov',
    // Short roster words are not slipped: Stone has five letters, fewer than six.
    'Harriet Stome',
    // A slipped forename that is a forename in its own right is that name: Joanna is not a slip of Joanne.
    'Joanna Kettleby',
    // Lower case is never a slip.
    'thomas fairclogh',
    'Thomas fairclogh',
  ])('does not find a slip in %j', (text) => {
    expect(found(text).filter(([, , variant]) => variant === 'slip')).toEqual([]);
  });

  it('never reads a slip that is a roster name', () => {
    const school = buildDirectory([pupil('P-1', 'Oliver', 'Maddoxe')], [staffMember('S-1', 'Fiona', 'Maddixe')]);
    expect(school.findPupilNames('Oliver Maddixe')).toEqual([]);
    expect(school.findPupilNames('Oliver Maddoxe').map((match) => match.personId)).toEqual(['P-1']);
    expect(school.findPupilNames('Oliver Maddexe').map((match) => match.variant)).toEqual(['slip']);
  });
});

describe('isOneLetterSlip', () => {
  it.each([
    ['fairclogh', 'fairclough', true],
    ['fiarclough', 'fairclough', true],
    ['faircloughh', 'fairclough', true],
    ['fairclouhg', 'fairclough', true],
    ['fairdlough', 'fairclough', true],
    ['fairclough', 'fairclough', false],
    ['faircloughs', 'fairclough', false],
    ['faiclogh', 'fairclough', false],
    ['fiarcluogh', 'fairclough', false],
  ])('%s for %s: %s', (written, name, expected) => {
    expect(isOneLetterSlip(written, name)).toBe(expected);
  });
});

describe('the nickname data', () => {
  it('loads the shipped dataset and the British additions', () => {
    const forms = loadShortForms();
    expect(forms.get('tom')).toContain('thomas');
    expect(forms.get('lizzie')).toContain('elizabeth');
    expect(forms.get('izzy')).toContain('isabella');
    expect(forms.get('mo')).toContain('mohammed');
    expect(forms.size).toBeGreaterThan(500);
  });

  it('refuses a row that is not three cells, naming the line', () => {
    expect(() => parseShortForms('name1,relationship,name2\nthomas,has_nickname\n', 'x.csv')).toThrow('x.csv line 2');
  });

  it('leaves out one-letter short forms and other relationships', () => {
    const forms = parseShortForms('name1,relationship,name2\nthomas,has_nickname,t\nthomas,sounds_like,tomas\n', 'x.csv');
    expect(forms.size).toBe(0);
  });
});
