import { splitRecipients } from '../message/addresses.js';
import type { OcrWhen } from '../config/school-sources.js';
import type { Envelope } from '../message/envelope.js';

export function wantsOcr(when: OcrWhen, envelope: Envelope, schoolDomains: readonly string[]): boolean {
  if (when === 'always' || when === 'never') return when === 'always';
  return splitRecipients(envelope.rcptTo, schoolDomains).external.length > 0;
}
