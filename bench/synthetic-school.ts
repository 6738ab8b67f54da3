import type { Pupil } from '../src/roster/roster.js';

const FORENAMES = [
  'Amara',
  'Bartosz',
  'Chidi',
  'Delyth',
  'Eshaan',
  'Farah',
  'Gethin',
  'Hana',
  'Idris',
  'Jolanta',
  'Kofi',
  'Lowri',
  'Mehmet',
  'Niamh',
  'Oluwaseun',
  'Priya',
  'Quentin',
  'Rhiannon',
  'Saoirse',
  'Tomasz',
  'Ugo',
  'Vaishnavi',
  'Wiktoria',
  'Xander',
  'Yusra',
  'Zainab',
];
const SURNAME_STEMS = [
  'Adeyemi',
  'Brannigan',
  'Chowdhury',
  'Dziedzic',
  'Efunkoya',
  'Fitzgerald',
  'Grabowski',
  'Hussain',
  'Ilunga',
  'Jablonski',
  'Kaczmarek',
  'Lindqvist',
  'Mwangi',
  'Nakamura',
  'Okonkwo',
  'Pemberton',
  'Quaresma',
  'Rahman',
  'Szymanski',
  'Thorsby',
  'Umeadi',
  'Vasquez',
  'Wiśniewski',
  'Xiong',
  'Yilmaz',
  'Zielinski',
];

/**
 * A roster of `size` invented pupils with distinct full names. Surnames get a numeric-free suffix
 * so that even 100,000 pupils have distinct names, as a large trust's combined roster would.
 */
export function syntheticPupils(size: number): Pupil[] {
  const pupils: Pupil[] = [];
  for (let index = 0; index < size; index += 1) {
    const forename = FORENAMES[index % FORENAMES.length]!;
    const stem = SURNAME_STEMS[Math.floor(index / FORENAMES.length) % SURNAME_STEMS.length]!;
    const variant = Math.floor(index / (FORENAMES.length * SURNAME_STEMS.length));
    pupils.push({
      id: `BENCH${String(index).padStart(8, '0')}`,
      legalForename: forename,
      preferredForename: undefined,
      middleNames: [],
      legalSurname: variant === 0 ? stem : `${stem}-${suffix(variant)}`,
      preferredSurname: undefined,
      dateOfBirth: undefined,
      year: undefined,
      className: undefined,
      contactEmails: [`parent${index}@example.net`],
      email: undefined,
    });
  }
  return pupils;
}

/** A pronounceable, letters-only suffix for the n-th variant: 1 → "Ab", 2 → "Ac", … */
function suffix(variant: number): string {
  const consonants = 'bcdfghklmnprstvw';
  const vowels = 'aeiou';
  let text = '';
  let rest = variant;
  do {
    text += vowels[rest % vowels.length]! + consonants[Math.floor(rest / vowels.length) % consonants.length]!;
    rest = Math.floor(rest / (vowels.length * consonants.length));
  } while (rest > 0);
  return text.charAt(0).toUpperCase() + text.slice(1);
}
