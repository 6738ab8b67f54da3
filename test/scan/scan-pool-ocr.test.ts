import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchoolSources } from '../../src/config/school-sources.js';
import { createScanPool, type ScanPool } from '../../src/scan/scan-pool.js';
import { compose } from '../message/support/compose.js';

// The pool runs the built worker (dist/src/scan/scan-worker.js): `npm test` builds first.
const SCHOOL: SchoolSources = {
  id: 'st-marys-example',
  domains: ['stmarys-example.sch.uk'],
  rosterPath: resolve('fixtures/roster/pupils.csv'),
  ocr: 'external',
};

describe('OCR in the scan workers', () => {
  let pool: ScanPool;
  beforeAll(async () => {
    pool = await createScanPool({ schools: [SCHOOL], size: 1 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('a worker reads a screenshot by OCR for mail going out, and not for mail staying in', async () => {
    const content = await readFile(resolve('fixtures/ocr/register-crop.png'));
    const raw = await compose({ subject: 'Register', attachments: [{ filename: 'register.png', content }] });
    const out = await pool.scan(raw, { mailFrom: 'teacher@stmarys-example.sch.uk', rcptTo: ['coach@swim-club.example.org'] });
    const names = out.findings.filter((finding) => finding.category === 'pupil-name').map((finding) => [finding.match, finding.location]);
    expect(names).toContainEqual(['Hannah Cheung', { part: 'attachment', name: 'register.png', ocr: true }]);
    const staying = await pool.scan(raw, { mailFrom: 'teacher@stmarys-example.sch.uk', rcptTo: ['office@stmarys-example.sch.uk'] });
    expect(staying.findings.filter((finding) => finding.category === 'pupil-name')).toEqual([]);
  });
});
