import { splitRecipients } from '../message/addresses.js';
import type { Envelope } from '../message/envelope.js';

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

export function wantsOcr(when: OcrWhen, envelope: Envelope, schoolDomains: readonly string[]): boolean {
  if (when === 'always' || when === 'never') return when === 'always';
  return splitRecipients(envelope.rcptTo, schoolDomains).external.length > 0;
}
