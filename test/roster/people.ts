import type { Pupil, StaffMember } from '../../src/roster/roster.js';

/** An invented pupil with only the fields a test cares about set. */
export function pupil(id: string, legalForename: string, legalSurname: string, extra: Partial<Pupil> = {}): Pupil {
  return {
    id,
    legalForename,
    preferredForename: undefined,
    middleNames: [],
    legalSurname,
    preferredSurname: undefined,
    dateOfBirth: undefined,
    year: undefined,
    className: undefined,
    contactEmails: [],
    email: undefined,
    ...extra,
  };
}

/** An invented member of staff. */
export function staffMember(id: string, legalForename: string, legalSurname: string, extra: Partial<StaffMember> = {}): StaffMember {
  return { id, legalForename, preferredForename: undefined, middleNames: [], legalSurname, preferredSurname: undefined, email: undefined, ...extra };
}
