import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTenants, type Tenants } from '../../src/scan/tenants.js';
import { scanFile } from '../../src/cli/scan-command.js';
import { detectPersonalData } from '../../src/detect/personal-data.js';
import { renderNotice } from '../../src/policy/notice-templates.js';
import { buildSenderNotice } from '../../src/policy/sender-notice.js';

const CORPUS = 'fixtures/corpus';
const IDENTIFIERS = ['personal-data/upn', 'personal-data/uln', 'personal-data/ni-number', 'personal-data/nhs-number', 'personal-data/payment-card', 'personal-data/bank-account'];

let tenants: Tenants;
beforeAll(async () => {
  tenants = await loadTenants([{ rosterPath: 'fixtures/roster/pupils.csv', staffPath: 'fixtures/roster/staff.csv', domains: ['stmarys-example.sch.uk'] }]);
});

describe('sender notices on the corpus', () => {
  it('rewrite every returned message with no full pupil name and no identifier left in it', async () => {
    const files = (await readdir(CORPUS)).filter((file) => file.endsWith('.eml'));
    let returned = 0;
    for (const file of files) {
      const result = await scanFile(join(CORPUS, file), tenants, {});
      const { school } = tenants.schools[0]!;
      if (result.verdict.action !== 'return') continue;
      returned += 1;
      const notice = buildSenderNotice(result.view, result.envelope, result.verdict, school.domains);
      expect(notice, file).toBeDefined();
      expect(notice!.to).toBe(result.envelope.mailFrom);
      const rendered = renderNotice(notice!);
      for (const text of [rendered.subject, rendered.text]) {
        expect(school.directory.findPupilNames(text), `${file}: a full name is left`).toEqual([]);
        const view = { ...result.view, pieces: [{ location: { part: 'body' as const }, text }] };
        const identifiers = detectPersonalData(view, { envelope: result.envelope, directory: school.directory, schoolDomains: school.domains });
        expect(
          identifiers.filter((finding) => IDENTIFIERS.includes(finding.category)),
          `${file}: an identifier is left`,
        ).toEqual([]);
      }
    }
    expect(returned).toBeGreaterThanOrEqual(10);
  });
});
