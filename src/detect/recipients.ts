import { z } from 'zod';
import { domainOf, isInternalAddress } from '../message/addresses.js';
import type { MessageView } from '../message/message-view.js';
import type { SchoolDirectory } from '../roster/roster.js';
import type { Detector, ScanContext } from './detector.js';
import { categoriesOf, type Finding } from './finding.js';

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
export class RecipientsDetectorOptionsError extends Error {
  readonly code = 'RECIPIENTS_DETECTOR_OPTIONS_INVALID';
  readonly action = 'config';
  override readonly name = 'RecipientsDetectorOptionsError';
}

/** `rules/vocabulary/webmail-domains.yaml`. */
export const webmailVocabularySchema = z.object({
  domains: z.array(
    z
      .string()
      .regex(/^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/, 'write a whole domain in lower case, e.g. gmail.com'),
  ),
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
      severity: 'high',
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
        severity: staffAccount ? 'critical' : 'high',
        location: RECIPIENTS,
        match: address,
        explanation: staffAccount
          ? "This goes to a personal webmail address that looks like a member of staff's own account. School business must stay on school email accounts."
          : "This goes to a personal webmail address that is not a parent or carer contact on the school's roster. School business must stay on school email accounts.",
        suggestion: 'Check the address. Send school work to school accounts, and do not forward school mail to a personal account.',
      } satisfies Finding;
    });
}

/** Pupils named in what the reader sees first: the subject and the body. */
function namedPupils(view: MessageView, directory: SchoolDirectory): Set<string> {
  const written = view.pieces.filter((piece) => piece.location.part === 'subject' || piece.location.part === 'body');
  return new Set(written.flatMap((piece) => directory.findPupilNames(piece.text).map((name) => name.personId)));
}

/**
 * A pupil is named, none of that pupil's contacts receive the message, but the
 * contacts of another pupil, who is not named, do: the classic autocomplete
 * error. Names stay out of the explanation; the finding carries the pupil's id.
 */
function misdirected(view: MessageView, context: ScanContext): Finding[] {
  const recipients = unique(context.envelope.rcptTo).map((address) => ({
    address,
    pupils: context.directory.pupilIdsForAddress(address),
  }));
  // Without a pupil's contact among the recipients there is nothing to misdirect, and no need to read names.
  if (recipients.every((recipient) => recipient.pupils.length === 0)) return [];
  const named = namedPupils(view, context.directory);
  const reached = new Set(recipients.flatMap((recipient) => recipient.pupils));
  const [unreached] = [...named].filter((pupil) => !reached.has(pupil));
  if (unreached === undefined) return [];
  return recipients
    .filter((recipient) => recipient.pupils.length > 0 && recipient.pupils.every((pupil) => !named.has(pupil)))
    .map((recipient) => ({
      detector: DETECTOR,
      category: 'recipients/misdirected',
      severity: 'critical',
      location: RECIPIENTS,
      match: recipient.address,
      pupilId: unreached,
      explanation:
        "This message names a pupil, but this recipient is a parent or carer of a different pupil, and none of the named pupil's own contacts receive it. It may be going to the wrong family.",
      suggestion: "Check the recipient: address autocomplete may have picked another family's address.",
    }));
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
