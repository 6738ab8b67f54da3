import type { MessageView, TextLocation, TextPiece } from '../message/message-view.js';
import type { NameMatch, SchoolDirectory } from '../roster/roster.js';
import type { Detector, DetectorDefinition, ScanContext } from './detector.js';
import type { Finding, Severity, Span } from './finding.js';
import { pupilsInTable, tabbedRows, type TableName } from './name-tables.js';
import { notThePupilHere } from './name-in-context.js';
import { defaultSeverity } from './categories.js';

/**
 * A pupil's full name anywhere in the message: "Emails should never contain children's full
 * names either in the subject line or, if possible, in the main body of the text. Initials should
 * be used wherever possible." (St Mary's Chiswick AUP §4). Hence high in the body and
 * attachments, critical in the subject line, which every recipient, server and notification shows.
 *
 * A pupil whose full name is also a member of staff's is reported, unless the text plainly means
 * the adult: the sender's own name (a signature), or the name after a title ("Mrs Jo Bell"). A
 * name read as a short form, a slip or with an unlisted initial is dropped when it is a member
 * of staff's name as written or follows a title. Words of a name used as a place, or read across
 * a greeting, are not the pupil (`name-in-context.ts`).
 */
export const detectPupilNames: Detector = (view, context) =>
  view.pieces.flatMap((piece) => {
    const matches = context.directory.findPupilNames(piece.text);
    const staffMeant = matches.length === 0 ? () => false : staffNamedIn(piece.text, context);
    const elsewhere = (match: NameMatch) => notThePupilHere(piece.text, match, context.directory.pupils.get(match.personId));
    const inText = matches.filter((match) => !staffMeant(match) && !elsewhere(match));
    return [...inText.map((match) => toFinding(match, piece.location)), ...tableFindings(view, piece, inText, context)];
  });

/**
 * Pupils named across a table row's cells (name-tables.ts): the piece's tab-separated lines (HTML
 * tables, spreadsheets) and an attachment's parsed rows (CSV, XLSX, ODS). A pupil the text
 * search already found in this piece is not reported again.
 */
function tableFindings(view: MessageView, piece: TextPiece, inText: readonly NameMatch[], context: ScanContext): Finding[] {
  const location = piece.location;
  const parsed = location.part === 'attachment' ? (view.attachments.find((attachment) => attachment.name === location.name)?.tableRows ?? []) : [];
  const tables = [...tabbedRows(piece.text), ...(parsed.length > 0 ? [parsed] : [])];
  const found = new Set(inText.map((match) => match.personId));
  const findings: Finding[] = [];
  for (const rows of tables) {
    for (const name of pupilsInTable(rows, context.directory)) {
      if (found.has(name.personId)) continue;
      found.add(name.personId);
      findings.push(tableFinding(name, location));
    }
  }
  return findings;
}

function tableFinding(name: TableName, location: TextLocation): Finding {
  return pupilFinding(location, { text: `${name.forename} ${name.surname}`, personId: name.personId, initials: name.initials }, ', in the forename and surname columns of a table');
}

/** Whether a pupil-name match is really a member of staff with the same name. */
function staffNamedIn(text: string, context: ScanContext): (match: NameMatch) => boolean {
  const staffMatches = context.directory.findStaffNames(text);
  // A name read as a short form, a slip or with an initial is the adult's whenever it is an adult's as written.
  return (match) =>
    (match.variant !== undefined && titled(text, match.start)) ||
    staffMatches.some(
      (staff) =>
        staff.start === match.start &&
        staff.end === match.end &&
        (match.variant !== undefined || isSender(staff.personId, context.directory, context.envelope.mailFrom) || titled(text, match.start)),
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
  return pupilFinding(location, match, '', { start: match.start, end: match.end });
}

/**
 * The finding for a pupil named at `location`; `how` completes the sentence on where it was seen. Only a
 * name found as a stretch of the text (`span`) can be replaced there by its initials.
 */
function pupilFinding(location: TextLocation, name: Pick<NameMatch, 'text' | 'personId' | 'initials'>, how: string, span?: Span): Finding {
  return {
    detector: 'pupil-name',
    category: 'pupil-name',
    severity: severityAt(location),
    location,
    match: name.text,
    ...(span === undefined ? {} : { span }),
    pupilId: name.personId,
    explanation: `A pupil's full name appears ${PLACES[location.part]}${how}. School policy: children are referred to by initials in email.`,
    ...(name.initials === undefined ? {} : { suggestion: `use initials: ${name.initials}`, ...(span === undefined ? {} : { replacement: name.initials }) }),
  };
}

function severityAt(location: TextLocation): Severity {
  return location.part === 'subject' ? 'critical' : defaultSeverity('pupil-name');
}

/** Where the name is, in words; attachment names are left out because they may hold the name too. */
const PLACES: Readonly<Record<TextLocation['part'], string>> = {
  subject: 'in the subject line',
  body: 'in the message',
  attachment: 'in an attachment',
  'attachment-name': "in an attachment's file name",
};

export const pupilNameDetector: DetectorDefinition = {
  name: 'pupil-name',
  categories: ['pupil-name'],
  build: () => detectPupilNames,
};
