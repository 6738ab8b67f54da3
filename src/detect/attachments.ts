import { UNREAD_REASONS, type AttachmentFact, type AttachmentView, type MessageProblem, type MessageView, type UnreadReason } from '../message/message-view.js';
import type { SchoolDirectory } from '../roster/roster.js';
import { DEFAULT_DETECTOR_SETTINGS, type Detector, type DetectorDefinition } from './detector.js';
import { categoriesOf, type Finding } from './finding.js';
import { pupilsByRow, tabbedRows } from './name-tables.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';
import { defaultSeverity } from './categories.js';

/**
 * Facts about attachments, and bulk personal data in them or in a table in the body. Extraction
 * (src/message/) establishes the facts without judging them; this turns them
 * into findings, and makes sure nothing unreadable passes silently: a message
 * the reader could not finish becomes an `attachment/unscannable` finding too.
 */
export const ATTACHMENT_CATEGORIES = categoriesOf('attachment/');

export interface AttachmentDetectorOptions {
  /**
   * How many people make an attachment bulk personal data: rows naming a pupil,
   * data rows under a header of personal columns, or different pupils named in
   * its text. 10 is the recommended value: fewer than a class, more than a
   * group of pupils a teacher writes about.
   */
  readonly bulkRowThreshold: number;
}

/** The options are unusable; fix the configuration and start again. */
export class AttachmentDetectorOptionsError extends HallmonitorError {
  readonly code = 'ATTACHMENT_DETECTOR_OPTIONS_INVALID';
  /** Fix the file or the options and start again. */
  readonly disposition = 'configuration';
  override readonly name = 'AttachmentDetectorOptionsError';
}

const DETECTOR = 'attachments';

/** Column headers that alone say a table is about people, compared without case, spaces or punctuation. */
const PERSONAL_COLUMNS = new Set([
  'forename',
  'firstname',
  'givenname',
  'legalforename',
  'preferredforename',
  'preferredname',
  'knownas',
  'surname',
  'lastname',
  'familyname',
  'legalsurname',
  'preferredsurname',
  'fullname',
  'pupil',
  'pupilname',
  'student',
  'studentname',
  'child',
  'childname',
  'childsname',
  'dob',
  'dateofbirth',
  'birthdate',
  'upn',
  'uln',
  'nhsnumber',
  'nino',
  'ninumber',
  'nationalinsurancenumber',
  'address',
  'homeaddress',
  'addressline1',
  'address1',
  'postcode',
  'parentemail',
  'contactemail',
  'parentcarer',
  'parentname',
  'contactname',
]);

/** Headers that say so only in company: "Name" and "Email" together, not "Name" and "Price". */
const PERSON_HINT_COLUMNS = new Set([
  'name',
  'email',
  'emailaddress',
  'phone',
  'telephone',
  'tel',
  'mobile',
  'gender',
  'sex',
  'year',
  'yeargroup',
  'ncyear',
  'class',
  'reg',
  'reggroup',
  'form',
  'tutorgroup',
  'sen',
  'senstatus',
  'fsm',
  'pupilpremium',
  'eal',
  'ethnicity',
  'religion',
  'medical',
  'allergies',
]);

/** The first rows may be a title ("Year 6 class list") before the header. */
const HEADER_SEARCH_ROWS = 5;

function columnKey(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function isPersonalHeader(row: readonly string[]): boolean {
  const keys = row.map(columnKey);
  return keys.some((key) => PERSONAL_COLUMNS.has(key)) || keys.filter((key) => PERSON_HINT_COLUMNS.has(key)).length >= 2;
}

function isFilled(row: readonly string[]): boolean {
  return row.some((cell) => cell.trim() !== '');
}

/** Why an attachment counts as bulk personal data, in words for the finding, or undefined. */
type BulkReason = string | undefined;

type Rows = AttachmentView['tableRows'];

/** Rows naming a pupil in a cell, in neighbouring cells, or across forename and surname columns apart (`name-tables.ts`). */
function rowsNamingPupils(rows: Rows, directory: SchoolDirectory, threshold: number): BulkReason {
  const paired = pupilsByRow(rows, directory);
  const naming = rows.filter((row, at) => (paired[at]?.length ?? 0) > 0 || directory.findPupilNames(row.join(' ')).length > 0).length;
  return naming >= threshold ? `${naming} of its rows each name a pupil on the school's roster` : undefined;
}

function rowsUnderPersonalHeader(rows: Rows, threshold: number): BulkReason {
  const filled = rows.filter(isFilled);
  const header = filled.slice(0, HEADER_SEARCH_ROWS).findIndex(isPersonalHeader);
  const dataRows = header === -1 ? 0 : filled.length - header - 1;
  if (dataRows < threshold) return undefined;
  const columns = (filled[header] ?? []).filter((cell) => cell.trim() !== '').join(', ');
  return `it is a table of ${dataRows} rows with personal columns (${columns})`;
}

function pupilsNamedInText(texts: readonly string[], directory: SchoolDirectory, threshold: number): BulkReason {
  const pupils = new Set(texts.flatMap((text) => directory.findPupilNames(text).map((name) => name.personId)));
  return pupils.size >= threshold ? `it names ${pupils.size} different pupils on the school's roster` : undefined;
}

function attachmentTexts(view: MessageView, name: string): string[] {
  return view.pieces.flatMap((piece) => (piece.location.part === 'attachment' && piece.location.name === name ? [piece.text] : []));
}

type FactVerdict = Pick<Finding, 'category' | 'severity' | 'explanation' | 'suggestion'>;

/** Content left unread for a reason that is no fault (`UNREAD_REASONS`) is a fact for the rules, not a finding. */
type ReportedFact = Exclude<AttachmentFact, { kind: UnreadReason }>;

function isReported(fact: AttachmentFact): fact is ReportedFact {
  return !(UNREAD_REASONS as readonly string[]).includes(fact.kind);
}

/**
 * A program is high (it can carry a virus); a password is low, because it is the
 * protection St Mary's Chiswick AUP 4.2 asks for ("password protection"); an
 * attachment that could not be read is medium, as nobody knows what is in it.
 */
const FACT_FINDINGS: Readonly<Record<ReportedFact['kind'], (detail: string) => FactVerdict>> = {
  executable: (detail) => ({
    category: 'attachment/executable',
    severity: defaultSeverity('attachment/executable'),
    explanation: `This attachment is ${detail}. Programs and scripts can carry viruses, and the acceptable use policy does not allow sending them by email.`,
    suggestion: 'Remove the attachment; if it is needed, ask the IT team how to share it.',
  }),
  'password-protected': (detail) => ({
    category: 'attachment/password-protected',
    severity: defaultSeverity('attachment/password-protected'),
    explanation: `This attachment is protected by a password (${detail}), so its content could not be checked. The policy counts a password as a safe way to send personal data.`,
    suggestion: 'Send the password another way (by phone or text), never in the same email.',
  }),
  unscannable: (detail) => ({
    category: 'attachment/unscannable',
    severity: defaultSeverity('attachment/unscannable'),
    explanation: `This attachment could not be fully checked: ${detail}. Anything in it that could not be read may hold personal data.`,
    suggestion: "Check that the file opens; if it holds personal data, send it by the school's secure route.",
  }),
};

/**
 * Members of an encrypted archive carry its password fact too; the archive
 * reports it once, since one password protects them all.
 */
function protectedByArchive(attachment: AttachmentView, attachments: readonly AttachmentView[]): boolean {
  return attachments.some((archive) => attachment.name.startsWith(`${archive.name}/`) && archive.facts.some((fact) => fact.kind === 'password-protected'));
}

function factsToReport(attachment: AttachmentView, attachments: readonly AttachmentView[]): readonly ReportedFact[] {
  const reported = attachment.facts.filter(isReported);
  return protectedByArchive(attachment, attachments) ? reported.filter((fact) => fact.kind !== 'password-protected') : reported;
}

function factFinding(attachment: AttachmentView, fact: ReportedFact): Finding {
  return {
    detector: DETECTOR,
    location: { part: 'attachment', name: attachment.name },
    match: attachment.name,
    ...FACT_FINDINGS[fact.kind](fact.detail.replace(/\.$/, '')),
  };
}

/**
 * A limit or fault met while reading the message as a whole. The reader stopped,
 * so part of the message was never checked; that is reported like an attachment
 * that could not be read, at the body, with the reader's own words for why.
 */
function problemFinding(problem: MessageProblem): Finding {
  return {
    detector: DETECTOR,
    category: 'attachment/unscannable',
    severity: defaultSeverity('attachment/unscannable'),
    location: { part: 'body' },
    match: problem.kind,
    explanation: `Part of this message could not be checked: ${problem.detail.replace(/\.$/, '')}. What was not read may hold personal data.`,
    suggestion: "Send large files through the school's file-sharing service instead of by email.",
  };
}

/** Why a table, attached or written in the body, is bulk personal data: the same tests for both. */
function tableReason(rows: Rows, directory: SchoolDirectory, threshold: number): BulkReason {
  return rowsNamingPupils(rows, directory, threshold) ?? rowsUnderPersonalHeader(rows, threshold);
}

/**
 * A class list pasted into the message as a table (an HTML table, or tab-separated lines in the
 * plain text, as Outlook writes a table there) is the same data as an attached one. One finding
 * for the body, whichever alternative or table shows it first; its match is the table's first line.
 */
function bodyTableFinding(view: MessageView, directory: SchoolDirectory, threshold: number): Finding[] {
  for (const piece of view.pieces) {
    if (piece.location.part !== 'body') continue;
    for (const rows of tabbedRows(piece.text)) {
      const reason = tableReason(rows, directory, threshold);
      if (reason === undefined) continue;
      return [
        {
          detector: DETECTOR,
          category: 'attachment/bulk-personal-data',
          severity: defaultSeverity('attachment/bulk-personal-data'),
          location: { part: 'body' },
          match: firstLine(rows),
          explanation: `The message holds a table that is bulk personal data: ${reason}. A list like this must not leave the school unprotected.`,
          suggestion: "Remove the table, or send it encrypted through the school's secure route.",
        },
      ];
    }
  }
  return [];
}

function firstLine(rows: Rows): string {
  return (rows.find(isFilled) ?? [])
    .map((cell) => cell.trim())
    .filter((cell) => cell !== '')
    .join(' ');
}

export function createAttachmentDetector(options: AttachmentDetectorOptions): Detector {
  const threshold = options.bulkRowThreshold;
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new AttachmentDetectorOptionsError(`bulkRowThreshold must be a whole number of at least 1, not ${threshold}`);
  }

  function bulkFinding(view: MessageView, attachment: AttachmentView, directory: SchoolDirectory): Finding[] {
    const reason = tableReason(attachment.tableRows, directory, threshold) ?? pupilsNamedInText(attachmentTexts(view, attachment.name), directory, threshold);
    if (reason === undefined) return [];
    return [
      {
        detector: DETECTOR,
        category: 'attachment/bulk-personal-data',
        severity: defaultSeverity('attachment/bulk-personal-data'),
        location: { part: 'attachment', name: attachment.name },
        match: attachment.name,
        explanation: `This attachment is bulk personal data: ${reason}. A list like this must not leave the school unprotected.`,
        suggestion: "Remove the names and personal details, or send it encrypted through the school's secure route.",
      },
    ];
  }

  return function detectAttachments(view, context) {
    return [
      ...view.attachments.flatMap((attachment) => [
        ...factsToReport(attachment, view.attachments).map((fact) => factFinding(attachment, fact)),
        ...bulkFinding(view, attachment, context.directory),
      ]),
      ...bodyTableFinding(view, context.directory, threshold),
      ...view.problems.map(problemFinding),
    ];
  };
}

export const attachmentDetector: DetectorDefinition = {
  name: DETECTOR,
  categories: ATTACHMENT_CATEGORIES,
  build: (_vocabulary, settings) => createAttachmentDetector({ bulkRowThreshold: settings.bulkRowThreshold ?? DEFAULT_DETECTOR_SETTINGS.bulkRowThreshold }),
};
