import { appendFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { concernsReload, schoolFileFolders, SchoolFilesWatch } from '../../src/gateway/school-files-watch.js';

const QUIET_MS = 300;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('schoolFileFolders', () => {
  it('watches each file through its folder, and configured rule folders with their vocabulary, merged by folder', () => {
    const folders = schoolFileFolders(
      [
        {
          domains: ['a.sch.uk'],
          rosterPath: '/etc/hm/roster/pupils.csv',
          staffPath: '/etc/hm/roster/staff.csv',
          rulesDirectory: '/etc/hm/rules',
          overridesDirectory: '/etc/hm/a-rules',
        },
        { domains: ['b.sch.uk'], rosterPath: '/etc/hm/b-pupils.csv' },
      ],
      '/etc/hm/hallmonitor.yaml',
    );
    expect(folders).toEqual([
      { directory: '/etc/hm', names: ['b-pupils.csv', 'hallmonitor.yaml'], ruleFiles: false },
      { directory: '/etc/hm/roster', names: ['pupils.csv', 'staff.csv'], ruleFiles: false },
      { directory: '/etc/hm/rules', names: [], ruleFiles: true },
      { directory: '/etc/hm/rules/vocabulary', names: [], ruleFiles: true },
      { directory: '/etc/hm/a-rules', names: [], ruleFiles: true },
      { directory: '/etc/hm/a-rules/vocabulary', names: [], ruleFiles: true },
    ]);
  });

  it('leaves the shipped rules alone: they change only with an upgrade', () => {
    expect(schoolFileFolders([{ domains: [] }])).toEqual([]);
  });

  it("counts the files a reload reads, not editors' and install scripts' temporary files", () => {
    const roster = { directory: '/r', names: ['pupils.csv'], ruleFiles: false };
    const rules = { directory: '/rules', names: [], ruleFiles: true };
    expect(concernsReload(roster, 'pupils.csv')).toBe(true);
    expect(concernsReload(roster, '.pupils.csv.new')).toBe(false);
    expect(concernsReload(roster, '.pupils.csv.swp')).toBe(false);
    expect(concernsReload(roster, 'pupils.csv.previous')).toBe(false);
    expect(concernsReload(rules, '60-local.yaml')).toBe(true);
    expect(concernsReload(rules, 'README.md')).toBe(false);
    expect(concernsReload(rules, '60-local.yaml~')).toBe(false);
    expect(concernsReload(roster, null)).toBe(true);
  });
});

describe('SchoolFilesWatch', () => {
  let folder: string;
  let settled: number;
  let errors: string[];
  let watch: SchoolFilesWatch;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'hm-watch-'));
    await mkdir(join(folder, 'rules'));
    await writeFile(join(folder, 'pupils.csv'), 'UPN,Forename,Surname\n');
    settled = 0;
    errors = [];
    watch = new SchoolFilesWatch({ quietMs: QUIET_MS, onSettled: () => (settled += 1), onError: ({ code }) => errors.push(code) });
    watch.aim(schoolFileFolders([{ domains: [], rosterPath: join(folder, 'pupils.csv'), overridesDirectory: join(folder, 'rules') }]));
  });

  afterEach(async () => {
    watch.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('settles once after a file written in several goes has been quiet, not after the first write', async () => {
    for (let row = 0; row < 4; row += 1) {
      await appendFile(join(folder, 'pupils.csv'), `A${row},Forename${row},Surname${row}\n`);
      await pause(QUIET_MS / 2);
    }
    expect(settled).toBe(0);
    await expect.poll(() => settled, { timeout: 5_000 }).toBe(1);
    await pause(QUIET_MS * 2);
    expect(settled).toBe(1);
  });

  it("sees an editor's or install script's rename over the file, and goes on seeing the new file's changes", async () => {
    await writeFile(join(folder, '.pupils.csv.new'), 'UPN,Forename,Surname\nA1,Forename,Surname\n');
    await pause(QUIET_MS * 2);
    expect(settled).toBe(0);
    await rename(join(folder, '.pupils.csv.new'), join(folder, 'pupils.csv'));
    await expect.poll(() => settled, { timeout: 5_000 }).toBe(1);
    await appendFile(join(folder, 'pupils.csv'), 'A2,Forename,Surname\n');
    await expect.poll(() => settled, { timeout: 5_000 }).toBe(2);
  });

  it('sees a new rule file in a rule folder, and ignores other files there', async () => {
    await writeFile(join(folder, 'rules', 'notes.txt'), 'not a rule');
    await pause(QUIET_MS * 2);
    expect(settled).toBe(0);
    await writeFile(join(folder, 'rules', '60-local.yaml'), 'rules: []\n');
    await expect.poll(() => settled, { timeout: 5_000 }).toBe(1);
  });

  it('stops watching a folder no longer named, and skips one that does not exist', async () => {
    watch.aim(schoolFileFolders([{ domains: [], rosterPath: join(folder, 'elsewhere', 'pupils.csv') }]));
    await appendFile(join(folder, 'pupils.csv'), 'A1,Forename,Surname\n');
    await pause(QUIET_MS * 2);
    expect(settled).toBe(0);
    expect(errors).toEqual([]);
  });
});
