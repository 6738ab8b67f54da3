import type { TextLocation } from '../message/message-view.js';

/** Finding categories exactly as CONTRACTS.md §1 names them. */
export const FINDING_CATEGORIES = [
  'pupil-name',
  'person-name',
  'personal-data/upn',
  'personal-data/uln',
  'personal-data/ni-number',
  'personal-data/nhs-number',
  'personal-data/date-of-birth',
  'personal-data/address',
  'personal-data/phone',
  'personal-data/bank-account',
  'personal-data/payment-card',
  'sensitive/health',
  'sensitive/sen',
  'sensitive/safeguarding',
  'sensitive/free-school-meals',
  'sensitive/ethnicity',
  'sensitive/religion',
  'sensitive/sexual-orientation',
  'language/profanity',
  'language/slur',
  'attachment/executable',
  'attachment/password-protected',
  'attachment/bulk-personal-data',
  'attachment/unscannable',
  'recipients/visible-bulk',
  'recipients/personal-webmail',
  'recipients/misdirected',
  'content/chain-letter',
  'request/encrypt',
] as const;

export type FindingCategory = (typeof FINDING_CATEGORIES)[number];

/** The categories of one family, e.g. `personal-data/`, in contract order: one list serves every detector. */
export function categoriesOf<Family extends string>(family: Family): Extract<FindingCategory, `${Family}${string}`>[] {
  return FINDING_CATEGORIES.filter((category): category is Extract<FindingCategory, `${Family}${string}`> => category.startsWith(family));
}

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Where a finding is: a place in the text, or the envelope/headers for recipient findings. */
export type FindingLocation = TextLocation | { readonly part: 'recipients' };

/** Half-open character range `[start, end)` in the text of the piece at `location`. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** One fact a detector established. Detectors never decide; the policy does. */
export interface Finding {
  /** The detector that recorded it, e.g. `pupil-name`. */
  readonly detector: string;
  readonly category: FindingCategory;
  readonly severity: Severity;
  readonly location: FindingLocation;
  /** The matched text as written. */
  readonly match: string;
  readonly span?: Span;
  /** For `pupil-name` (and misdirected mail): the roster id, the UPN where present. */
  readonly pupilId?: string;
  /** What was found, in words a teacher understands. */
  readonly explanation: string;
  /** A concrete way to fix it, e.g. "use initials: A.O.". */
  readonly suggestion?: string;
  /** What to write instead of `match` in a rewritten message, e.g. the initials "A.O.". */
  readonly replacement?: string;
}
