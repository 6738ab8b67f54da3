import { stringify } from 'csv-stringify/sync';
import type { Incident } from './incident-register.js';

const COLUMNS = [
  'Date (UTC)',
  'School',
  'Incident type',
  'All types',
  'Personal data',
  'Action taken',
  'Finding categories',
  'Rules',
  'Sender',
  'Recipient domains',
  'Recipients',
  'Message id',
] as const;

/**
 * The register as CSV with a header row, for the DPO's spreadsheet. A cell that a spreadsheet would
 * read as a formula (starting with = + - @, tab or CR) gets a leading apostrophe (OWASP, CSV injection):
 * sender addresses and rule ids come from outside the DPO's control.
 */
export function incidentsCsv(incidents: readonly Incident[]): string {
  const rows = incidents.map((incident) => [
    incident.at.toISOString(),
    incident.schoolId,
    incident.types[0] ?? '',
    incident.types.join('; '),
    incident.dataProtection ? 'yes' : 'no',
    incident.action === 'quarantine' ? 'held for the DPO' : 'returned to sender',
    Object.entries(incident.categories)
      .map(([category, count]) => `${category} (${count})`)
      .join('; '),
    incident.ruleIds.join('; '),
    incident.sender,
    incident.recipientDomains.join('; '),
    String(incident.recipientCount),
    incident.messageId,
  ]);
  return stringify([[...COLUMNS], ...rows], { cast: { string: neutraliseFormula } });
}

/** A cell a spreadsheet would take for a formula gets a leading apostrophe (OWASP, CSV injection). */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
