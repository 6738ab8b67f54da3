import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detector } from '../../src/detect/detector.js';
import { stopOcrEngine } from '../../src/message/ocr-engine.js';
import { loadSchool } from '../../src/scan/load-school.js';
import type { School } from '../../src/scan/school.js';
import { scanMessage } from '../../src/scan/scan-message.js';
import { compose } from '../message/support/compose.js';

/**
 * Misdirected mail from text only OCR reads: the wrong screenshot (a crop of class 6B's register,
 * fixtures/ocr/README.md) sent to a parent whose child is not on it. Real OCR, the fixture school.
 */
const SCHOOL_DOMAIN = 'stmarys-example.sch.uk';
/** A parent of Evie Harris (3O), on nobody's register in the crop. */
const OTHER_FAMILY = 'harris.lauren@btinternet.com';
/** A parent of Hannah Cheung (6B), who is on it. */
const OWN_FAMILY = 'litingcheung@gmail.com';
/** A loaded test machine must not turn OCR into an `ocr-limit`. */
const PATIENT = { maxOcrMillis: 120_000 };

let school: School;
let detectors: readonly Detector[];

beforeAll(async () => {
  ({ school, detectors } = await loadSchool({
    id: 'misdirected-ocr',
    domains: [SCHOOL_DOMAIN],
    rosterPath: resolve('fixtures/roster/pupils.csv'),
    staffPath: resolve('fixtures/roster/staff.csv'),
  }));
});

afterAll(() => stopOcrEngine());

async function screenshotTo(rcpt: string) {
  const raw = await compose({
    subject: 'Register for last week',
    text: 'Dear parent,\n\nHere is the screenshot of last week’s register you asked for.\n\nRachel Fenwick',
    attachments: [{ filename: 'register.png', content: await readFile(resolve('fixtures/ocr/register-crop.png')) }],
  });
  return scanMessage(raw, school, detectors, { mailFrom: `rachel.fenwick@${SCHOOL_DOMAIN}`, rcptTo: [rcpt] }, PATIENT);
}

describe('misdirected mail read by OCR', () => {
  it('holds a screenshot naming pupils sent to another family, one finding per pupil on it', async () => {
    const result = await screenshotTo(OTHER_FAMILY);
    const misdirected = result.findings.filter((finding) => finding.category === 'recipients/misdirected');
    const named = result.findings.filter((finding) => finding.category === 'pupil-name' && finding.location.part === 'attachment');
    expect(named.length).toBeGreaterThan(0);
    expect(misdirected.map((finding) => finding.pupilId).sort()).toEqual(named.map((finding) => finding.pupilId).sort());
    expect(new Set(misdirected.map((finding) => finding.match))).toEqual(new Set([OTHER_FAMILY]));
    expect(result.verdict.action).toBe('quarantine');
  }, 180_000);

  it('does not call it misdirected when a pupil on it is the recipient’s own', async () => {
    const result = await screenshotTo(OWN_FAMILY);
    expect(result.findings.filter((finding) => finding.category === 'pupil-name').map((finding) => finding.match)).toContain('Hannah Cheung');
    expect(result.findings.map((finding) => finding.category)).not.toContain('recipients/misdirected');
  }, 180_000);
});
