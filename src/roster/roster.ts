/** The school's people, as imported from its MIS or School Data Sync exports (docs/architecture.md, "The roster CSV"). */

/** The name fields shared by pupils and staff. */
export interface NamedPerson {
  /** UPN where the export has one, else the export's own id. */
  readonly id: string;
  readonly legalForename: string;
  readonly preferredForename: string | undefined;
  readonly middleNames: readonly string[];
  readonly legalSurname: string;
  readonly preferredSurname: string | undefined;
}

export interface Pupil extends NamedPerson {
  /** ISO `yyyy-mm-dd`. */
  readonly dateOfBirth: string | undefined;
  readonly year: string | undefined;
  readonly className: string | undefined;
  /** Lower-cased addresses of the pupil's parents and carers. */
  readonly contactEmails: readonly string[];
  /** The pupil's own address, lower case. */
  readonly email: string | undefined;
}

export interface StaffMember extends NamedPerson {
  readonly email: string | undefined;
}

/**
 * How a name not written as the roster has it was read: a short form of the forename ("Tom"
 * for Thomas), a middle initial the roster does not give, or one letter slipped.
 */
export type MatchVariant = 'nickname' | 'middle-initial' | 'slip';

/** A full name found in a text: the person it names and where. */
export interface NameMatch {
  readonly personId: string;
  /** Half-open range in the searched text. */
  readonly start: number;
  readonly end: number;
  /** The text as written, e.g. "O’Brien, Siobhán". */
  readonly text: string;
  /** Initials of the name as written, forename first, e.g. "S.O." — what policy asks staff to write instead. */
  readonly initials?: string;
  /** Set when the name was not written as the roster has it. */
  readonly variant?: MatchVariant;
}

/** Everything detectors may ask about the school's people; built once per roster load. */
export interface SchoolDirectory {
  readonly pupils: ReadonlyMap<string, Pupil>;
  readonly staff: ReadonlyMap<string, StaffMember>;
  /** Full names of pupils in `text`, in time independent of the roster's size. */
  findPupilNames(text: string): NameMatch[];
  /** Full names of staff in `text`. */
  findStaffNames(text: string): NameMatch[];
  /** Ids of pupils whose contacts (or the pupil) use this address. */
  pupilIdsForAddress(address: string): readonly string[];
}
