/** Where one school's people, policy and own contact details come from: what a scan of its mail is loaded from (scan/load-school.ts). */
export interface SchoolSources {
  readonly id?: string;
  /** The school's own name, never reported as a person. */
  readonly name?: string | undefined;
  readonly rosterPath?: string | undefined;
  readonly staffPath?: string | undefined;
  readonly domains: readonly string[];
  /** The networks the school's own mail comes from (CIDR); absent: any the gateway allows. */
  readonly allow?: readonly string[];
  /** Microsoft 365 tenants the school's mail must come from, lower case; empty: no binding. */
  readonly microsoft365TenantIds?: readonly string[];
  /** The base rule set to run instead of the shipped one (its `vocabulary/` too, where it has one). */
  readonly rulesDirectory?: string | undefined;
  /** The school's own rules, replacing, extending or disabling rules of the base set by id. */
  readonly overridesDirectory?: string | undefined;
  /** Staff group → the lower-cased addresses in it. */
  readonly staffGroups?: Readonly<Record<string, readonly string[]>>;
  readonly phoneNumbers?: readonly string[];
  readonly postcodes?: readonly string[];
  /** Which of the school's mail has its images read by OCR; absent: `DEFAULT_OCR_WHEN`. */
  readonly ocr?: OcrWhen;
}

/**
 * Which mail has its images and scanned pages read by OCR: `external`, mail with a recipient
 * outside the school's domains (the mail a screenshot of a class list can leak by); `always`;
 * or `never`.
 */
export const OCR_WHEN = ['external', 'always', 'never'] as const;
export type OcrWhen = (typeof OCR_WHEN)[number];

/**
 * Mail that stays inside the school does not pay for OCR (about a second an image): a class list
 * sent to a colleague is where it belongs, and no rule acts on pupils' data in internal mail.
 */
export const DEFAULT_OCR_WHEN: OcrWhen = 'external';
