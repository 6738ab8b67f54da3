import type { ScanContext } from '../../src/detect/detector.js';
import type { MessageView } from '../../src/message/message-view.js';
import type { NameMatch, Pupil, SchoolDirectory, StaffMember } from '../../src/roster/roster.js';
import { pupil, staffMember } from '../roster/people.js';

/**
 * Test fakes for detector unit tests. The directory is hand-written plain data
 * with a naive name search (forename surname, or surname, forename; any case):
 * the real one lives in src/roster/, and these tests only need its interface.
 * All names are invented.
 */
export interface FakePerson {
  readonly id: string;
  readonly forename: string;
  readonly surname: string;
  readonly contactEmails?: readonly string[];
  readonly email?: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function nameSearch(people: readonly FakePerson[]): (text: string) => NameMatch[] {
  const searches = people.map((person) => {
    const forename = escapeRegExp(person.forename);
    const surname = escapeRegExp(person.surname);
    const pattern = new RegExp(`(?<![\\p{L}])(?:${forename}\\s+${surname}|${surname},?\\s+${forename})(?![\\p{L}])`, 'giu');
    return { id: person.id, pattern };
  });
  return (text) =>
    searches
      .flatMap(({ id, pattern }) =>
        [...text.matchAll(pattern)].map((match) => ({
          personId: id,
          start: match.index,
          end: match.index + match[0].length,
          text: match[0],
        })),
      )
      .sort((a, b) => a.start - b.start);
}

function toPupil(person: FakePerson): Pupil {
  return pupil(person.id, person.forename, person.surname, {
    contactEmails: (person.contactEmails ?? []).map((address) => address.toLowerCase()),
    email: person.email?.toLowerCase(),
  });
}

function toStaff(person: FakePerson): StaffMember {
  return staffMember(person.id, person.forename, person.surname, { email: person.email?.toLowerCase() });
}

export function fakeDirectory(pupils: readonly FakePerson[], staff: readonly FakePerson[] = []): SchoolDirectory {
  const pupilsById = new Map(pupils.map((person) => [person.id, toPupil(person)]));
  const byAddress = new Map<string, string[]>();
  for (const pupil of pupilsById.values()) {
    for (const address of [...pupil.contactEmails, ...(pupil.email === undefined ? [] : [pupil.email])]) {
      byAddress.set(address, [...(byAddress.get(address) ?? []), pupil.id]);
    }
  }
  return {
    pupils: pupilsById,
    staff: new Map(staff.map((person) => [person.id, toStaff(person)])),
    findPupilNames: nameSearch(pupils),
    findStaffNames: nameSearch(staff),
    pupilIdsForAddress: (address) => byAddress.get(address.toLowerCase()) ?? [],
  };
}

/** An empty directory, for detectors that do not look at people. */
export const EMPTY_DIRECTORY = fakeDirectory([]);

/** A message with only the parts a test sets; pieces default to the subject and body given. */
export function fakeView(parts: Partial<MessageView> & { readonly body?: string } = {}): MessageView {
  const { body = '', ...rest } = parts;
  const subject = parts.subject ?? '';
  return {
    messageId: undefined,
    subject,
    from: undefined,
    to: [],
    cc: [],
    bcc: [],
    pieces: [
      { location: { part: 'subject' }, text: subject },
      { location: { part: 'body' }, text: body },
    ],
    attachments: [],
    problems: [],
    ...rest,
  };
}

export function fakeContext(parts: Partial<ScanContext> = {}): ScanContext {
  return {
    envelope: { mailFrom: 'teacher@school.sch.uk', rcptTo: [] },
    directory: EMPTY_DIRECTORY,
    schoolDomains: ['school.sch.uk'],
    ...parts,
  };
}
