import { resolve } from 'node:path';
import { loadConfigFile, schoolSources } from '../../../src/config/config.js';
import { scanMessage, type ScanResult } from '../../../src/scan/scan-message.js';
import { loadTenants } from '../../../src/scan/tenants.js';

/** Strings from the invented message below that no alert or notice may ever contain. */
export const DISTINCTIVE = ['Hannah', 'Cheung', 'Quillfeather', 'Marmalade', 'child protection', 'zanzibar', 'Pomegranate'];

export const SENDER = 'form.tutor@stmarys-example.sch.uk';
export const RECIPIENTS = ['caseworker@agency.example.org', 'records@council.example.gov.uk'];

const RAW = [
  `From: Form Tutor <${SENDER}>`,
  `To: ${RECIPIENTS.join(', ')}`,
  'Subject: Hannah Cheung - Pomegranate meeting notes',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello, following the child protection referral for Hannah Cheung, her aunt Ms Quillfeather of',
  '12 Marmalade Lane says she will attend on Thursday.',
  '',
  '--b1',
  'Content-Type: text/plain; name="zanzibar-case-notes.txt"',
  'Content-Disposition: attachment; filename="zanzibar-case-notes.txt"',
  '',
  'Notes for the child protection conference about Hannah Cheung.',
  '--b1--',
  '',
].join('\r\n');

/** The invented message scanned with the fixture school, as the gateway would: a verdict with real findings. */
export async function scanInventedMessage(): Promise<ScanResult> {
  const config = resolve(import.meta.dirname, '../../../fixtures/school.yaml');
  const tenants = await loadTenants(schoolSources(await loadConfigFile(config), config));
  const loaded = tenants.schools[0]!;
  const result = await scanMessage(Buffer.from(RAW), loaded.school, loaded.detectors, { mailFrom: SENDER, rcptTo: RECIPIENTS });
  return result;
}
