import type { TextLocation } from '../message/message-view.js';
import type { FindingCategory } from './categories.js';

export { categoriesOf, FINDING_CATEGORIES, type FindingCategory } from './categories.js';

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
