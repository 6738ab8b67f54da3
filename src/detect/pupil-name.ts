import type { TextLocation } from '../message/message-view.js';
import type { NameMatch, SchoolDirectory } from '../roster/roster.js';
import type { Detector, ScanContext } from './detector.js';
import type { Finding, Severity } from './finding.js';
import { notThePupilHere } from './name-in-context.js';

export const PUPIL_NAME_CATEGORIES = ['pupil-name'] as const;

/**
 * A pupil's full name anywhere in the message: "Emails should never contain children's full
 * names either in the subject line or, if possible, in the main body of the text. Initials should
 * be used wherever possible." (St Mary's Chiswick AUP §4). Hence high in the body and
 * attachments, critical in the subject line, which every recipient, server and notification shows.
 *
 * A pupil whose full name is also a member of staff's is reported, unless the text plainly means
 * the adult: the sender's own name (a signature), or the name after a title ("Mrs Jo Bell"). Words
 * of a name used as a place, or read across a greeting, are not the pupil (`name-in-context.ts`).
 */
export const detectPupilNames: Detector = (view, context) =>
  view.pieces.flatMap((piece) => {
    const matches = context.directory.findPupilNames(piece.text);
    if (matches.length === 0) return [];
    const staffMeant = staffNamedIn(piece.text, context);
    const elsewhere = (match: NameMatch) => notThePupilHere(piece.text, match, context.directory.pupils.get(match.personId));
    return matches.filter((match) => !staffMeant(match) && !elsewhere(match)).map((match) => toFinding(match, piece.location));
  });

/** Whether a pupil-name match is really a member of staff with the same name. */
function staffNamedIn(text: string, context: ScanContext): (match: NameMatch) => boolean {
  const staffMatches = context.directory.findStaffNames(text);
  return (match) =>
    staffMatches.some(
      (staff) =>
        staff.start === match.start &&
        staff.end === match.end &&
        (isSender(staff.personId, context.directory, context.envelope.mailFrom) || titled(text, match.start)),
    );
}

/** Pupils are not given titles; adults are. */
const TITLE_BEFORE = /\b(?:mr|mrs|ms|miss|mx|dr|sir|madam)\.?\s+$/i;

function titled(text: string, nameStart: number): boolean {
  return TITLE_BEFORE.test(text.slice(Math.max(0, nameStart - 12), nameStart));
}

function isSender(staffId: string, directory: SchoolDirectory, mailFrom: string): boolean {
  const email = directory.staff.get(staffId)?.email;
  return email !== undefined && mailFrom !== '' && email.toLowerCase() === mailFrom.toLowerCase();
}

function toFinding(match: NameMatch, location: TextLocation): Finding {
  return {
    detector: 'pupil-name',
    category: 'pupil-name',
    severity: severityAt(location),
    location,
    match: match.text,
    span: { start: match.start, end: match.end },
    pupilId: match.personId,
    explanation: `A pupil's full name appears ${PLACES[location.part]}. School policy: children are referred to by initials in email.`,
    ...(match.initials === undefined ? {} : { suggestion: `use initials: ${match.initials}`, replacement: match.initials }),
  };
}

function severityAt(location: TextLocation): Severity {
  return location.part === 'subject' ? 'critical' : 'high';
}

/** Where the name is, in words; attachment names are left out because they may hold the name too. */
const PLACES: Readonly<Record<TextLocation['part'], string>> = {
  subject: 'in the subject line',
  body: 'in the message',
  attachment: 'in an attachment',
  'attachment-name': "in an attachment's file name",
};
