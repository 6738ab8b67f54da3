import { describe, expect, it } from 'vitest';
import { buildDirectory } from '../../src/roster/directory.js';
import type { Pupil, SchoolDirectory } from '../../src/roster/roster.js';
import { pupil, staffMember } from './people.js';

const ROSTER: readonly Pupil[] = [
  pupil('P-KM', 'Kwame', 'Mensah', { middleNames: ['Kofi', 'Yaw'], preferredForename: 'Kojo' }),
  pupil('P-WB', 'Will', 'Brown'),
  pupil('P-HY', 'Hope', 'Young'),
  pupil('P-GH', 'Grace', 'Hall'),
  pupil('P-SO', 'Siobhán', 'O’Brien'),
  pupil('P-ZT', 'Zoe', 'Trelawny'),
  pupil('P-SJ', 'Amara', 'Smith-Jones', { preferredSurname: 'Okafor' }),
  pupil('P-MV', 'Mary Jane', 'Van der Berg'),
  pupil('P-JS', 'Jane', 'Smith'),
  pupil('P-MJS', 'Mary Jane', 'Smith'),
  pupil('P-HB', 'Hope', 'Brown'),
  pupil('P-AA', 'Aisha', 'Al-Farsi'),
  pupil('P-RK', 'Rose', 'King'),
];

const directory = buildDirectory(ROSTER, [staffMember('S-JB', 'Joanna', 'Bell', { preferredForename: 'Jo' })]);

/** The matches as [text, id] pairs, for compact expectations. */
function found(text: string, school: SchoolDirectory = directory): [string, string][] {
  return school.findPupilNames(text).map((match) => [match.text, match.personId]);
}

describe('findPupilNames: forms of a full name', () => {
  it.each([
    ['Kwame Mensah came in late', 'Kwame Mensah'],
    ['Kojo Mensah came in late', 'Kojo Mensah'],
    ['Kwame Kofi Yaw Mensah came in late', 'Kwame Kofi Yaw Mensah'],
    ['Kwame Kofi Mensah came in late', 'Kwame Kofi Mensah'],
    ['Kwame Yaw Mensah came in late', 'Kwame Yaw Mensah'],
    ['Kwame K. Mensah came in late', 'Kwame K. Mensah'],
    ['Kwame K Mensah came in late', 'Kwame K Mensah'],
    ['Mensah, Kwame came in late', 'Mensah, Kwame'],
    ['Mensah,Kwame', 'Mensah,Kwame'],
    ['Mensah, Kwame Kofi', 'Mensah, Kwame Kofi'],
    ['MENSAH Kwame', 'MENSAH Kwame'],
    ['Mensah Kwame', 'Mensah Kwame'],
    ['KWAME MENSAH', 'KWAME MENSAH'],
    ['kwame mensah', 'kwame mensah'],
    ['kWaMe MeNsAh', 'kWaMe MeNsAh'],
  ])('finds "%s"', (text, match) => {
    expect(found(text)).toEqual([[match, 'P-KM']]);
  });

  it.each([
    ["Kwame Mensah's coat", 'Kwame Mensah'],
    ['Kwame Mensah’s coat', 'Kwame Mensah'],
    ["KWAME MENSAH'S coat", 'KWAME MENSAH'],
    ["Mensah, Kwame's coat", 'Mensah, Kwame'],
  ])('finds the possessive "%s" and leaves the \'s out of the match', (text, match) => {
    expect(found(text)).toEqual([[match, 'P-KM']]);
  });

  it("finds the s' possessive", () => {
    const school = buildDirectory([pupil('P-TJ', 'Tomos', 'Jones')], []);
    expect(found("Tomos Jones' coat", school)).toEqual([['Tomos Jones', 'P-TJ']]);
  });

  it.each([
    ['Kwame\nMensah', 'Kwame\nMensah'],
    ['Kwame\r\n   Mensah', 'Kwame\r\n   Mensah'],
    ['Kwame \u00a0 Mensah', 'Kwame \u00a0 Mensah'],
    ['Kwame\t\tMensah', 'Kwame\t\tMensah'],
    ['Kwame\u200bMensah', 'Kwame\u200bMensah'],
    ['Mensah,\n Kwame', 'Mensah,\n Kwame'],
  ])('finds a name split by odd whitespace: %j', (text, match) => {
    expect(found(text)).toEqual([[match, 'P-KM']]);
  });

  it.each(['Kwame. Mensah', 'Kwame; Mensah', 'Kwame (Mensah)', 'Kwame / Mensah', 'kwame.mensah@example.net', 'Kwame2 Mensah'])(
    'does not run a name across punctuation: %s',
    (text) => {
      expect(found(text)).toEqual([]);
    },
  );

  it.each(['K.M. was late', 'Kwame M. was late', 'K. Mensah was late', 'KM was late', 'K Mensah'])('does not match initials: %s', (text) => {
    expect(found(text)).toEqual([]);
  });

  it.each(['Kwamena Mensah', 'McKwame Mensah', 'Kwame Mensahs', 'Kofi Mensah', 'Kwame'])('does not match other words: %s', (text) => {
    expect(found(text)).toEqual([]);
  });

  it('gives the span, the text as written and the initials of the name as written', () => {
    const text = 'Re: a note about Kojo  Mensah, thanks';
    expect(directory.findPupilNames(text)).toEqual([{ personId: 'P-KM', start: 17, end: 29, text: 'Kojo  Mensah', initials: 'K.M.' }]);
    expect(directory.findPupilNames('MENSAH, Kwame')[0]?.initials).toBe('K.M.');
  });
});

describe('findPupilNames: spelling variants', () => {
  it.each(['Siobhán O’Brien', "Siobhan O'Brien", 'Siobhan O‘Brien', 'Siobhan O`Brien', 'Siobhan Oʼbrien', 'Siobhan OBrien', 'SIOBHAN O’BRIEN', 'O’Brien, Siobhán'])(
    'folds diacritics and every apostrophe style: %s',
    (text) => {
      expect(found(text)).toEqual([[text, 'P-SO']]);
    },
  );

  it('does not join an apostrophised surname written as two words', () => {
    expect(found('Siobhan O Brien')).toEqual([]);
  });

  it.each(['Zoë Trelawny', 'Zoe Trelawny', 'ZOË TRELAWNY', 'Zoe\u0308 Trelawny'])('matches Zoe written as %s', (text) => {
    expect(found(text)).toEqual([[text, 'P-ZT']]);
  });

  it.each(['Amara Smith-Jones', 'Amara Smith Jones', 'Amara Smith\u2011Jones', 'Smith-Jones, Amara', 'Amara Okafor', 'AMARA SMITH-JONES'])(
    'matches the hyphenated surname (or the preferred one) written as %s',
    (text) => {
      expect(found(text)).toEqual([[text, 'P-SJ']]);
    },
  );

  it('does not match a name that is only the start of a hyphenated one', () => {
    expect(found('Jane Smith-Cole')).toEqual([]);
    expect(found('Anne-Jane Smith')).toEqual([]);
  });

  it.each([
    ['Mary Jane Van der Berg', 'Mary Jane Van der Berg'],
    ['Mary-Jane van der Berg', 'Mary-Jane van der Berg'],
    ['mary jane van der berg', 'mary jane van der berg'],
    ['VAN DER BERG, Mary Jane', 'VAN DER BERG, Mary Jane'],
    ['Van der Berg Mary-Jane', 'Van der Berg Mary-Jane'],
  ])('matches multi-word forenames and surnames: %s', (text, match) => {
    expect(found(text)).toEqual([[match, 'P-MV']]);
  });

  it('matches a surname written with an Arabic article, with or without its hyphen', () => {
    expect(found('Aisha Al-Farsi and Aisha Al Farsi')).toEqual([
      ['Aisha Al-Farsi', 'P-AA'],
      ['Aisha Al Farsi', 'P-AA'],
    ]);
  });
});

describe('findPupilNames: names that are ordinary words', () => {
  it.each([
    'we will brown the onions',
    'Hope young cooks enjoy it',
    'I hope young people will grace us',
    'I hope Young People will Grace us',
    'the grace hall is closed',
    'will Brown arrive?',
    'Brown will do',
    'Young Hope',
    'a rose king',
    'Will Brown Bread Be Ready Today',
    'Grace Hall Is Closed On Monday',
    'WILL BROWN VISITED THE SCHOOL',
    'PLEASE SEND WILL BROWN HOME',
  ])('are not names in "%s"', (text) => {
    expect(found(text)).toEqual([]);
  });

  it.each([
    ['Will Brown visited', 'Will Brown', 'P-WB'],
    ['Yesterday Will Brown visited', 'Will Brown', 'P-WB'],
    ['Brown, Will', 'Brown, Will', 'P-WB'],
    ['BROWN Will', 'BROWN Will', 'P-WB'],
    ['Will BROWN', 'Will BROWN', 'P-WB'],
    ['YOUNG, Hope', 'YOUNG, Hope', 'P-HY'],
    ["Hope Young's report", 'Hope Young', 'P-HY'],
    ['Dear Grace Hall,', 'Grace Hall', 'P-GH'],
    ['Parents of Rose King', 'Rose King', 'P-RK'],
    ['Re: WILL BROWN', 'WILL BROWN', 'P-WB'],
    ['WILL BROWN', 'WILL BROWN', 'P-WB'],
    ['notes on WILL BROWN today', 'WILL BROWN', 'P-WB'],
    ['Grace Hall\nRose King', 'Grace Hall', 'P-GH'],
  ])('are names in "%s"', (text, match, id) => {
    expect(found(text)[0]).toEqual([match, id]);
  });

  it('reads a sentence-initial "Hope Young cooks" as the name: the capital on Young is taken as a name', () => {
    expect(found('Hope Young cooks on Tuesdays.')).toEqual([['Hope Young', 'P-HY']]);
  });

  it('still requires a capital on the ordinary word of a partly ordinary name', () => {
    const school = buildDirectory([pupil('P-WO', 'Will', 'Okafor'), pupil('P-KB', 'Kwame', 'Brown')], []);
    expect(found('they will okafor', school)).toEqual([]);
    expect(found('kwame brown', school)).toEqual([]);
    expect(found('will Okafor', school)).toEqual([]);
    expect(found('Will okafor', school)).toEqual([['Will okafor', 'P-WO']]);
    expect(found('Will Okafor Is Here', school)).toEqual([['Will Okafor', 'P-WO']]);
  });

  it('uses the common words it is given', () => {
    const school = buildDirectory([pupil('P-WB', 'Will', 'Brown')], [], { commonWords: new Set(['brown']) });
    expect(found('we will brown the onions', school)).toEqual([]);
    // "will" is not an ordinary word in this list, so it matches in any case.
    expect(found('we will Brown the onions', school)).toEqual([['will Brown', 'P-WB']]);
  });
});

describe('findPupilNames: several names', () => {
  it('prefers the longer name over a name inside it', () => {
    expect(found('Mary Jane Smith')).toEqual([['Mary Jane Smith', 'P-MJS']]);
    expect(found('and Jane Smith')).toEqual([['Jane Smith', 'P-JS']]);
  });

  it('reads "Will Brown, Hope Young" as two names, not as "Brown, Hope"', () => {
    expect(found('Will Brown, Hope Young')).toEqual([
      ['Will Brown', 'P-WB'],
      ['Hope Young', 'P-HY'],
    ]);
  });

  it('lists "Surname, Forename" lines', () => {
    expect(found('Brown, Hope\nMensah, Kwame\nHall, Grace')).toEqual([
      ['Brown, Hope', 'P-HB'],
      ['Mensah, Kwame', 'P-KM'],
      ['Hall, Grace', 'P-GH'],
    ]);
  });

  it('gives every pupil who has the name, on the same span', () => {
    const twins = buildDirectory([pupil('P-1', 'Ama', 'Owusu'), pupil('P-2', 'Ama', 'Owusu'), pupil('P-3', 'Efua', 'Owusu')], []);
    expect(
      twins
        .findPupilNames('Ama Owusu')
        .map((match) => match.personId)
        .sort(),
    ).toEqual(['P-1', 'P-2']);
  });

  it('finds the same name each time it is written', () => {
    expect(found('Kwame Mensah, then KWAME MENSAH, then Mensah, Kwame')).toHaveLength(3);
  });
});

describe('the directory', () => {
  it('finds staff names separately from pupils', () => {
    expect(directory.findStaffNames('Jo Bell and Kwame Mensah')).toEqual([{ personId: 'S-JB', start: 0, end: 7, text: 'Jo Bell', initials: 'J.B.' }]);
    expect(directory.findPupilNames('Joanna Bell')).toEqual([]);
  });

  it('keeps pupils and staff by id', () => {
    expect(directory.pupils.get('P-KM')?.legalSurname).toBe('Mensah');
    expect(directory.staff.get('S-JB')?.legalForename).toBe('Joanna');
    expect(directory.pupils.size).toBe(ROSTER.length);
  });

  it('maps contact and pupil addresses to pupils, without regard to case', () => {
    const school = buildDirectory(
      [
        pupil('P-1', 'Ama', 'Owusu', { contactEmails: ['parent@example.net'], email: 'ama@pupils.example.sch.uk' }),
        pupil('P-2', 'Efua', 'Owusu', { contactEmails: ['parent@example.net', 'gran@example.org'] }),
      ],
      [],
    );
    expect(school.pupilIdsForAddress('Parent@Example.NET')).toEqual(['P-1', 'P-2']);
    expect(school.pupilIdsForAddress('gran@example.org')).toEqual(['P-2']);
    expect(school.pupilIdsForAddress('ama@pupils.example.sch.uk')).toEqual(['P-1']);
    expect(school.pupilIdsForAddress('stranger@example.com')).toEqual([]);
  });

  it('refuses two pupils with one id', () => {
    expect(() => buildDirectory([pupil('P-1', 'Ama', 'Owusu'), pupil('P-1', 'Efua', 'Owusu')], [])).toThrow(/share one id/);
  });
});

describe('a 100,000-pupil roster', () => {
  const FORENAMES = ['Amara', 'Bartosz', 'Chidi', 'Delyth', 'Eshaan', 'Farah', 'Gethin', 'Hana', 'Idris', 'Jolanta'];
  const STEMS = ['Adeyemi', 'Brannigan', 'Chowdhury', 'Dziedzic', 'Efunkoya', 'Fitzgerald', 'Grabowski', 'Hussain', 'Ilunga', 'Jablonski'];
  const LETTERS = 'abcdefghij';

  /** Distinct invented names: a forename, a stem and a letters-only suffix from the index. */
  function roster(size: number): Pupil[] {
    return Array.from({ length: size }, (_, index) => {
      const suffix = [...String(index)].map((digit) => LETTERS[Number(digit)]).join('');
      return pupil(`N${index}`, FORENAMES[index % 10] ?? '', `${STEMS[Math.floor(index / 10) % 10]}-${suffix}`);
    });
  }

  const message = `Dear parents,\n${'Thank you for your support this term; the trip went well and everyone enjoyed it. '.repeat(200)}`;

  function medianLookupMs(school: SchoolDirectory, text: string): number {
    const times: number[] = [];
    for (let round = 0; round < 30; round += 1) {
      const varied = `${text} ${round}`;
      const started = performance.now();
      school.findPupilNames(varied);
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[15] ?? 0;
  }

  it('builds, finds the right pupil among 100,000, and looks up in time that does not grow with the roster', () => {
    const timings: string[] = [];
    for (const size of [1_000, 10_000, 100_000]) {
      const pupils = roster(size);
      const started = performance.now();
      const school = buildDirectory(pupils, []);
      const buildMs = performance.now() - started;
      const target = pupils[size - 7];
      if (target === undefined) throw new Error('roster too small');
      const text = `${message}\nPlease tell ${target.legalForename} ${target.legalSurname} about the trip.`;
      expect(school.findPupilNames(text).map((match) => match.personId)).toEqual([target.id]);
      timings.push(`${size} pupils: build ${buildMs.toFixed(0)} ms, lookup of ${text.length} chars ${medianLookupMs(school, text).toFixed(2)} ms (median)`);
    }
    // Measured, not asserted: timings depend on the machine.
    console.log(timings.join('\n'));
  });
});
