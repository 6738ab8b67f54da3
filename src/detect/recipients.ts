import { z } from 'zod';
import { domainOf, isInternalAddress } from '../message/addresses.js';
import type { MessageView, TextPiece } from '../message/message-view.js';
import type { SchoolDirectory } from '../roster/roster.js';
import { DEFAULT_DETECTOR_SETTINGS, type Detector, type DetectorDefinition, type ScanContext } from './detector.js';
import { categoriesOf, type Finding } from './finding.js';
import { detectPupilNames } from './pupil-name.js';
import { quotedMessages, type QuotedMessage } from './quoted-messages.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';
import { defaultSeverity } from './categories.js';

/**
 * Who the message goes to. The commonest school data breaches are mail to the
 * wrong family and parents' addresses shown to each other (ICO breach reports:
 * "data emailed to incorrect recipient", "failure to use bcc").
 */
export const RECIPIENT_CATEGORIES = categoriesOf('recipients/');

export interface RecipientsDetectorOptions {
  /** Personal webmail domains, `rules/vocabulary/webmail-domains.yaml`; compared in lower case, whole domains only. */
  readonly webmailDomains: readonly string[];
  /**
   * How many external addresses in To and Cc make the recipients a visible
   * list. 8 is the recommended value: more than a meeting's worth of outside
   * partners (a social worker, a parent, a nurse), fewer than a letter to a
   * class's parents, the case this exists for.
   */
  readonly visibleBulkThreshold: number;
}

/** The options are unusable; fix the configuration and start again. */
export class RecipientsDetectorOptionsError extends HallmonitorError {
  readonly code = 'RECIPIENTS_DETECTOR_OPTIONS_INVALID';
  /** Fix the file or the options and start again. */
  readonly disposition = 'configuration';
  override readonly name = 'RecipientsDetectorOptionsError';
}

/** `rules/vocabulary/webmail-domains.yaml`. */
export const webmailVocabularySchema = z.object({
  domains: z.array(z.string().regex(/^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/, 'write a whole domain in lower case, e.g. gmail.com')),
});
export type WebmailVocabulary = z.output<typeof webmailVocabularySchema>;

const DETECTOR = 'recipients';
const RECIPIENTS = { part: 'recipients' } as const;

function unique(addresses: readonly string[]): string[] {
  return [...new Set(addresses.map((address) => address.toLowerCase()))];
}

function visibleBulk(view: MessageView, context: ScanContext, threshold: number): Finding[] {
  const visible = unique([...view.to, ...view.cc].map((recipient) => recipient.address));
  const external = visible.filter((address) => !isInternalAddress(address, context.schoolDomains));
  if (external.length < threshold) return [];
  return [
    {
      detector: DETECTOR,
      category: 'recipients/visible-bulk',
      severity: defaultSeverity('recipients/visible-bulk'),
      location: RECIPIENTS,
      match: external.join(', '),
      explanation: `${external.length} addresses outside the school are in To or Cc, so every recipient can see all of them. Email addresses are personal data.`,
      suggestion: 'Move these addresses to Bcc.',
    },
  ];
}

/**
 * "rachel.fenwick82@…" → "Rachel Fenwick", to look for a member of staff's name in
 * an address; capitalised, because names that are also words ("Will Brown") only
 * count as names when written as names.
 */
function namePart(address: string): string {
  return address
    .slice(0, address.lastIndexOf('@'))
    .split(/[^\p{L}]+/u)
    .filter((word) => word !== '')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

function looksLikeStaff(address: string, directory: SchoolDirectory): boolean {
  return directory.findStaffNames(namePart(address)).length > 0;
}

function personalWebmail(context: ScanContext, webmail: ReadonlySet<string>): Finding[] {
  return unique(context.envelope.rcptTo)
    .filter((address) => webmail.has(domainOf(address)) && context.directory.pupilIdsForAddress(address).length === 0)
    .map((address) => {
      // A member of staff's own account is the breach the policies name; an unknown address may be a tutor or a supplier.
      const staffAccount = looksLikeStaff(address, context.directory);
      return {
        detector: DETECTOR,
        category: 'recipients/personal-webmail',
        // A member of staff's own account takes school data home: worse than a stranger's.
        severity: staffAccount ? 'critical' : defaultSeverity('recipients/personal-webmail'),
        location: RECIPIENTS,
        match: address,
        explanation: staffAccount
          ? "This goes to a personal webmail address that looks like a member of staff's own account. School business must stay on school email accounts."
          : "This goes to a personal webmail address that is not a parent or carer contact on the school's roster. School business must stay on school email accounts.",
        suggestion: 'Check the address. Send school work to school accounts, and do not forward school mail to a personal account.',
      } satisfies Finding;
    });
}

/**
 * Pupils the message names wherever a reader can see a name — subject, body, attachments' text (OCR
 * included) and file names, table rows too — piece by piece. The pupil-name detector's own reading
 * is used, so a member of staff with a pupil's name or a pupil's name used as a place is not a
 * pupil here either.
 */
function namesByPiece(view: MessageView, context: ScanContext): { piece: TextPiece; names: readonly Finding[] }[] {
  return view.pieces.map((piece) => ({ piece, names: detectPupilNames({ ...view, pieces: [piece] }, context) }));
}

function pupilIds(findings: readonly Finding[]): string[] {
  return findings.flatMap((finding) => (finding.pupilId === undefined ? [] : [finding.pupilId]));
}

/**
 * The pupils a recipient learns about from this message: not those named only in a message the
 * recipient wrote, quoted below the reply ("my daughter says Alfie Hughes pushed her" comes back
 * to the parent who wrote it, and tells them nothing new).
 */
function namedToThem(named: ReturnType<typeof namesByPiece>, recipient: string, displayNames: readonly string[]): Set<string> {
  const byThem = (quote: QuotedMessage) => quote.author.includes(recipient) || displayNames.some((name) => quote.author.includes(name));
  const learnt = new Set<string>();
  for (const { piece, names } of named) {
    const theirs = piece.location.part === 'body' ? quotedMessages(piece.text).filter(byThem) : [];
    for (const name of names) {
      const span = name.span;
      const quotedBack = span !== undefined && theirs.some((quote) => quote.start <= span.start && span.end <= quote.end);
      if (!quotedBack && name.pupilId !== undefined) learnt.add(name.pupilId);
    }
  }
  return learnt;
}

/** The display names the message's headers give an address, in lower case; a single word is too vague to go on. */
function displayNamesOf(view: MessageView, address: string): string[] {
  return [...view.to, ...view.cc, ...view.bcc]
    .filter((recipient) => recipient.address.toLowerCase() === address && /\S\s+\S/.test(recipient.displayName.trim()))
    .map((recipient) => recipient.displayName.trim().toLowerCase());
}

/**
 * Every envelope recipient (To, Cc and Bcc alike: the SMTP envelope, not the headers) who is a
 * contact of some pupil but of none the message names receives content about a child who is not
 * theirs: the classic autocomplete error, in To or added in Cc. A parent shared by siblings is a
 * contact of each, so mail about either is theirs. One finding per recipient and named pupil;
 * names stay out of the explanation, the finding carries the pupil's id.
 */
function misdirected(view: MessageView, context: ScanContext): Finding[] {
  const contacts = unique(context.envelope.rcptTo)
    .map((address) => ({ address, pupils: context.directory.pupilIdsForAddress(address) }))
    .filter((recipient) => recipient.pupils.length > 0);
  // Without a pupil's contact among the recipients there is nothing to misdirect, and no need to read names.
  if (contacts.length === 0) return [];
  const named = namesByPiece(view, context);
  const everyName = new Set(named.flatMap(({ names }) => pupilIds(names)));
  return contacts
    .filter((recipient) => recipient.pupils.every((pupil) => !everyName.has(pupil)))
    .flatMap((recipient) => [...namedToThem(named, recipient.address, displayNamesOf(view, recipient.address))].map((pupilId) => misdirectedFinding(recipient.address, pupilId)));
}

function misdirectedFinding(address: string, pupilId: string): Finding {
  return {
    detector: DETECTOR,
    category: 'recipients/misdirected',
    severity: defaultSeverity('recipients/misdirected'),
    location: RECIPIENTS,
    match: address,
    pupilId,
    explanation: 'This message names a pupil, but this recipient is a parent or carer of a different pupil, not of the pupil named. It may be going to the wrong family.',
    suggestion: "Check the recipient: address autocomplete may have picked another family's address.",
  };
}

export function createRecipientsDetector(options: RecipientsDetectorOptions): Detector {
  const threshold = options.visibleBulkThreshold;
  if (!Number.isInteger(threshold) || threshold < 2) {
    throw new RecipientsDetectorOptionsError(`visibleBulkThreshold must be a whole number of at least 2, not ${threshold}`);
  }
  const webmail: ReadonlySet<string> = new Set(options.webmailDomains.map((domain) => domain.toLowerCase()));

  return function detectRecipients(view, context) {
    return [...visibleBulk(view, context, threshold), ...personalWebmail(context, webmail), ...misdirected(view, context)];
  };
}

export const recipientsDetector: DetectorDefinition = {
  name: DETECTOR,
  categories: RECIPIENT_CATEGORIES,
  build: async (vocabulary, settings) =>
    createRecipientsDetector({
      webmailDomains: (await vocabulary('webmail-domains.yaml', webmailVocabularySchema)).domains,
      visibleBulkThreshold: settings.visibleBulkThreshold ?? DEFAULT_DETECTOR_SETTINGS.visibleBulkThreshold,
    }),
};
