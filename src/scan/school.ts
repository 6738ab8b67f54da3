import type { RuleSet } from '../policy/decide.js';
import type { OcrWhen } from '../config/school-sources.js';
import type { SchoolDirectory } from '../roster/roster.js';

/** One school (tenant) on the gateway: its people, its domains and its policy. */
export interface School {
  readonly id: string;
  /** The school's own mail domains, lower case. */
  readonly domains: readonly string[];
  /** Microsoft 365 tenants (lower case) that Exchange Online must attribute the school's mail to; empty: no binding. */
  readonly microsoft365TenantIds?: readonly string[];
  readonly directory: SchoolDirectory;
  readonly ruleSet: RuleSet;
  /** Staff groups by lower-cased address, e.g. `senco@…` → `['senco']`. */
  readonly staffGroups: ReadonlyMap<string, readonly string[]>;
  /** Which of its mail has images read by OCR; absent: `DEFAULT_OCR_WHEN`. */
  readonly ocr?: OcrWhen;
}
