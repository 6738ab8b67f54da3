/**
 * The finding categories and every fact about each, in one place, as Rspamd registers a symbol's
 * group, weight and description once: the incident register, the sender's notice, the rewrite it
 * offers, the evaluation's labels and the README's "What it finds" table all read this table.
 * The categories, and their order, are the ones `hallmonitor scan --json` promises (see
 * docs/policy.md for what the default rules do with each).
 */
import type { Severity } from './finding.js';

/**
 * Incident types in the ICO's terms where the ICO has one (its data security incident trends use
 * "Data emailed to incorrect recipient", "Failure to use bcc", "Failure to redact"), most serious first.
 * The last four are conduct or safety, not personal data: the DPO still sees them as near misses.
 */
export const INCIDENT_TYPES = [
  'Data emailed to incorrect recipient',
  'Failure to use Bcc',
  'Data sent to personal email',
  'Unencrypted special-category data',
  'Failure to redact',
  'Offensive language',
  'Chain letter',
  'Unsafe attachment',
  'Other policy breach',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

/**
 * What encrypting the message does about a finding, for the sender's notice ("add [secure]"):
 * `remedies` — the content may leave encrypted (names, personal and special-category data);
 * `no-remedy` — the problem is the message itself or who gets it, encrypted or not;
 * `neutral` — neither reason to suggest encryption nor reason to withhold the suggestion.
 */
export type EncryptionEffect = 'remedies' | 'no-remedy' | 'neutral';

/**
 * What the rewritten message the sender is offered puts in place of the matched text, unless the
 * detector gave a replacement itself (a pupil's initials): `initials` — a placeholder for them;
 * `mask` — all but the last two characters hidden; `remove` — "[removed]"; `keep` — left as written.
 */
export type RewriteTreatment = 'initials' | 'mask' | 'remove' | 'keep';

/** Everything the code knows about one category, apart from how it is detected. */
export interface CategoryFacts {
  /** What counts, for a person reading the README. */
  readonly description: string;
  /** The severity a detector gives it unless the place or the kind makes it worse or milder (see the detector). */
  readonly severity: Severity;
  /** Its incident type when the gateway stops a message for it; undefined: it adds no type. */
  readonly incident: IncidentType | undefined;
  readonly encryption: EncryptionEffect;
  readonly rewrite: RewriteTreatment;
  /** The notice lists the visible external addresses to move to Bcc. */
  readonly noticeListsVisibleRecipients?: true;
  /**
   * Whether an evaluation label must give the matched text. `optional` where the detector chooses
   * what to report: attachment facts, the visible-bulk and chain-letter judgements, an address with
   * or without its street line, a sort code, an account number or both.
   */
  readonly labelMatch: 'required' | 'optional';
  /** Its findings name a pupil and carry the pupil's roster id (and so must its labels). */
  readonly namesPupil?: true;
}

const IDENTIFIER = { severity: 'high', incident: 'Failure to redact', encryption: 'remedies', rewrite: 'mask', labelMatch: 'required' } as const;
const SENSITIVE = { severity: 'high', incident: 'Unencrypted special-category data', encryption: 'remedies', rewrite: 'keep', labelMatch: 'required' } as const;

const CATALOGUE = {
  'pupil-name': {
    description:
      'a pupil\'s full name from the roster: legal or preferred names, middle names, "Surname, Forename", any case, possessives, accents and apostrophes folded, names split across lines or HTML tags; critical in the subject. Names that are ordinary words (Will Brown, Hope Young) count only when written as names — see [src/roster/README.md](src/roster/README.md)',
    severity: 'high',
    incident: 'Failure to redact',
    encryption: 'remedies',
    rewrite: 'initials',
    labelMatch: 'required',
    namesPupil: true,
  },
  'person-name': {
    description:
      'a probable full name of someone on neither list (never staff, the school, or the message\'s own correspondents), including names no name list knows when the words beside them say who the person is ("her mother, …", "PC …")',
    severity: 'medium',
    incident: 'Failure to redact',
    encryption: 'neutral',
    rewrite: 'keep',
    labelMatch: 'required',
  },
  'personal-data/upn': { description: 'a Unique Pupil Number, checksum-valid', ...IDENTIFIER },
  'personal-data/uln': { description: 'a Unique Learner Number, checksum-valid', ...IDENTIFIER },
  'personal-data/ni-number': { description: 'a National Insurance number, never a product code', ...IDENTIFIER },
  'personal-data/nhs-number': { description: 'an NHS (or CHI) number, checksum-valid, never a telephone number', ...IDENTIFIER },
  'personal-data/date-of-birth': {
    description: 'a date of birth next to a cue ("born", "DOB") or under a DOB column',
    ...IDENTIFIER,
    rewrite: 'keep',
  },
  'personal-data/address': {
    description:
      "a UK postal address with a real postcode (high), or a home address without one (medium) — never a venue's or a supplier's; see [src/detect/README.md](src/detect/README.md)",
    ...IDENTIFIER,
    rewrite: 'keep',
    labelMatch: 'optional',
  },
  'personal-data/phone': {
    description: "a UK telephone number that is a person's, not the school's own or an organisation's switchboard",
    ...IDENTIFIER,
    severity: 'medium',
  },
  'personal-data/bank-account': { description: 'a sort code with an account number', ...IDENTIFIER, labelMatch: 'optional' },
  'personal-data/payment-card': { description: 'a payment card number, Luhn-valid', ...IDENTIFIER },
  'sensitive/health': { description: 'health or medical information about a person', ...SENSITIVE },
  'sensitive/sen': { description: 'special educational needs (SEN), an EHCP, SEN support', ...SENSITIVE },
  'sensitive/safeguarding': { description: 'safeguarding or child protection information', ...SENSITIVE },
  'sensitive/free-school-meals': { description: "free school meals or pupil premium (a family's financial circumstances)", ...SENSITIVE },
  'sensitive/ethnicity': { description: "a person's ethnic origin", ...SENSITIVE },
  'sensitive/religion': { description: "a person's religion or beliefs", ...SENSITIVE },
  'sensitive/sexual-orientation': { description: "a person's sexual orientation or gender identity", ...SENSITIVE },
  'language/profanity': {
    description: 'swearing (British too, masked and leetspeak forms), with no Scunthorpe errors — [rules/vocabulary/language.yaml](rules/vocabulary/language.yaml)',
    severity: 'medium',
    incident: 'Offensive language',
    encryption: 'no-remedy',
    rewrite: 'remove',
    labelMatch: 'required',
  },
  'language/slur': {
    description: 'a racist, homophobic, transphobic or disablist slur',
    severity: 'high',
    incident: 'Offensive language',
    encryption: 'no-remedy',
    rewrite: 'remove',
    labelMatch: 'required',
  },
  // A program can carry a virus (high); a password is the protection the acceptable use policy asks
  // for (low); a file that could not be read may hold anything (medium).
  'attachment/executable': {
    description: 'a program or script, recognised by its content whatever its name, attached or inside an archive',
    severity: 'high',
    incident: 'Unsafe attachment',
    encryption: 'no-remedy',
    rewrite: 'keep',
    labelMatch: 'optional',
  },
  'attachment/password-protected': {
    description: 'a password-protected file or archive, whose content could not be checked',
    severity: 'low',
    incident: undefined,
    encryption: 'neutral',
    rewrite: 'keep',
    labelMatch: 'optional',
  },
  'attachment/bulk-personal-data': {
    description: 'a class list or other bulk personal data, attached or as a table in the body',
    severity: 'critical',
    incident: 'Failure to redact',
    encryption: 'neutral',
    rewrite: 'keep',
    labelMatch: 'optional',
  },
  'attachment/unscannable': {
    description:
      'anything it could not read within its limits (size, parts, depth, decompressed bytes, time). Audio, video and images OCR did not read are no finding: they are "not read" (`unread` in `scan --json`), for rules to act on',
    severity: 'medium',
    incident: undefined,
    encryption: 'neutral',
    rewrite: 'keep',
    labelMatch: 'optional',
  },
  'recipients/visible-bulk': {
    description: 'many external addresses visible to each other in To/Cc',
    severity: 'high',
    incident: 'Failure to use Bcc',
    encryption: 'no-remedy',
    rewrite: 'keep',
    noticeListsVisibleRecipients: true,
    labelMatch: 'optional',
  },
  'recipients/personal-webmail': {
    description: "a personal webmail recipient who is not a known contact on the roster; critical when it is a member of staff's own",
    severity: 'high',
    incident: 'Data sent to personal email',
    encryption: 'neutral',
    rewrite: 'keep',
    labelMatch: 'required',
  },
  'recipients/misdirected': {
    description:
      "a pupil named anywhere (subject, body, attachments, their file names, OCR text) to another pupil's parents in To, Cc or Bcc; held for the DPO, never sent encrypted instead",
    severity: 'critical',
    incident: 'Data emailed to incorrect recipient',
    encryption: 'no-remedy',
    rewrite: 'keep',
    labelMatch: 'required',
    namesPupil: true,
  },
  'content/chain-letter': {
    description: 'a chain message: "forward this to ten people", virus hoaxes',
    severity: 'medium',
    incident: 'Chain letter',
    encryption: 'no-remedy',
    rewrite: 'keep',
    labelMatch: 'optional',
  },
  'request/encrypt': {
    description: 'the sender asked for encryption: `[secure]` or `[encrypt]` in the subject, any case',
    severity: 'low',
    incident: undefined,
    encryption: 'neutral',
    rewrite: 'keep',
    labelMatch: 'required',
  },
} as const satisfies Record<string, CategoryFacts>;

export type FindingCategory = keyof typeof CATALOGUE;

/** Every category, in the order `scan --json` documents them. */
export const FINDING_CATEGORIES = Object.keys(CATALOGUE) as [FindingCategory, ...FindingCategory[]];

export function categoryFacts(category: FindingCategory): CategoryFacts {
  return CATALOGUE[category];
}

/** The facts of a category the scanner may not know (a label typo, another version's output). */
export function knownCategoryFacts(category: string): CategoryFacts | undefined {
  return isFindingCategory(category) ? CATALOGUE[category] : undefined;
}

export function isFindingCategory(category: string): category is FindingCategory {
  return Object.hasOwn(CATALOGUE, category);
}

/** The categories of one family, e.g. `personal-data/`, in contract order: one list serves every detector. */
export function categoriesOf<Family extends string>(family: Family): Extract<FindingCategory, `${Family}${string}`>[] {
  return FINDING_CATEGORIES.filter((category): category is Extract<FindingCategory, `${Family}${string}`> => category.startsWith(family));
}

/** The categories a rule's pattern names: one category, or a family written `sensitive/*`. */
export function categoriesMatching(pattern: string): FindingCategory[] {
  return pattern.endsWith('/*') ? categoriesOf(pattern.slice(0, -1)) : isFindingCategory(pattern) ? [pattern] : [];
}

/** The severity a finding of `category` has unless its detector says why this one differs. */
export function defaultSeverity(category: FindingCategory): Severity {
  return CATALOGUE[category].severity;
}
