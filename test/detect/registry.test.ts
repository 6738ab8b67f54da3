import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_CATEGORIES } from '../../src/detect/categories.js';
import { withCategoryTable } from '../../src/detect/category-table.js';
import { DETECTORS, emittedCategories, loadDetectors } from '../../src/detect/registry.js';
import { runDetectors } from '../../src/detect/run-detectors.js';
import { fakeContext, fakeView } from './fake-directory.js';

describe('the detector registry', () => {
  it('has a detector for every category in the catalogue, and names each detector once', () => {
    expect(FINDING_CATEGORIES.filter((category) => !emittedCategories().has(category))).toEqual([]);
    const names = DETECTORS.map((detector) => detector.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("reads each vocabulary by its file name from the rule folder's own vocabulary/, the shipped one otherwise", async () => {
    const rules = await mkdtemp(join(tmpdir(), 'hallmonitor-vocabulary-'));
    await mkdir(join(rules, 'vocabulary'));
    await writeFile(join(rules, 'vocabulary', 'webmail-domains.yaml'), 'domains: [mail.example.org]\n');
    const webmailIn = async (rulesDirectory: string | undefined, address: string) => {
      const detectors = await loadDetectors(rulesDirectory);
      const view = fakeView({ to: [{ address, displayName: '' }] });
      const findings = runDetectors(detectors, view, fakeContext({ envelope: { mailFrom: 'teacher@school.sch.uk', rcptTo: [address] } }));
      return findings.filter((finding) => finding.category === 'recipients/personal-webmail').map((finding) => finding.match);
    };
    expect(await webmailIn(rules, 'a.parent@mail.example.org')).toEqual(['a.parent@mail.example.org']);
    expect(await webmailIn(rules, 'a.parent@gmail.com')).toEqual([]);
    expect(await webmailIn(undefined, 'a.parent@gmail.com')).toEqual(['a.parent@gmail.com']);
    // The other vocabularies fell back to the shipped ones: swearing is still found.
    const detectors = await loadDetectors(rules);
    expect(runDetectors(detectors, fakeView({ body: 'What the fuck is this?' }), fakeContext()).map((finding) => finding.category)).toContain('language/profanity');
  });

  it('README.md\'s "What it finds" table is the one generated from the catalogue (npm run docs:categories)', async () => {
    const readme = await readFile('README.md', 'utf8');
    expect(withCategoryTable(readme)).toBe(readme);
  });
});
