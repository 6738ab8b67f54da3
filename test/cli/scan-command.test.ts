import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_CATEGORIES, SEVERITIES } from '../../src/detect/finding.js';
import { runCli } from './run-cli.js';

const CORPUS = 'fixtures/corpus';
const SCHOOL = ['--roster', 'fixtures/roster/pupils.csv', '--staff', 'fixtures/roster/staff.csv', '--domain', 'stmarys-example.sch.uk'];

interface ReportLine {
  file: string;
  verdict: { action: string; rules: string[] };
  findings: { category: string; severity: string; location: { part: string; name?: string }; match: string; pupilId?: string }[];
}

function scanJson(files: string[], extra: string[] = []): ReportLine[] {
  const run = runCli(['scan', ...files.map((file) => join(CORPUS, file)), ...SCHOOL, ...extra, '--json']);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ReportLine);
}

describe('hallmonitor scan (docs/architecture.md, "hallmonitor scan")', () => {
  it('prints one JSON object per file, in order, in the contract shape', () => {
    const lines = scanJson(['pupil-name-subject.eml', 'clean-trip-letter.eml', 'password-zip.eml']);
    expect(lines.map((line) => line.file)).toEqual(['pupil-name-subject.eml', 'clean-trip-letter.eml', 'password-zip.eml']);
    for (const line of lines) {
      expect(['deliver', 'encrypt', 'quarantine', 'return']).toContain(line.verdict.action);
      for (const finding of line.findings) {
        expect(FINDING_CATEGORIES).toContain(finding.category);
        expect(SEVERITIES).toContain(finding.severity);
        expect(typeof finding.match).toBe('string');
        if (finding.location.part === 'attachment' || finding.location.part === 'attachment-name') expect(finding.location.name).toBeTruthy();
        else expect(finding.location.name).toBeUndefined();
        if (finding.category === 'pupil-name') expect(finding.pupilId).toMatch(/^[A-Z]\d{11}[0-9A-Z]$/);
      }
    }
  });

  it('returns a pupil name in the subject, with the roster id, and delivers clean mail', () => {
    const [named, clean] = scanJson(['pupil-name-subject.eml', 'clean-trip-letter.eml']);
    expect(named!.verdict).toEqual({ action: 'return', rules: ['pupil-name-in-subject'] });
    expect(named!.findings).toContainEqual(expect.objectContaining({ category: 'pupil-name', location: { part: 'subject' }, match: 'Kwame Mensah' }));
    expect(clean!.verdict).toEqual({ action: 'deliver', rules: [] });
    expect(clean!.findings).toEqual([]);
  });

  it('meets the default rules’ minimum outcomes on the corpus', () => {
    const [sen, profanity, slur, chain] = scanJson(['sen-review-external.eml', 'profanity-british.eml', 'slur-disablist.eml', 'chain-letter.eml']);
    expect(['encrypt', 'quarantine']).toContain(sen!.verdict.action);
    expect(profanity!.verdict.action).toBe('return');
    expect(slur!.verdict.action).toBe('quarantine');
    expect(chain!.verdict.action).toBe('return');
  });

  it('takes the envelope from --from and --rcpt over the headers', () => {
    const [internal] = scanJson(['sen-review-external.eml'], ['--rcpt', 'senco@stmarys-example.sch.uk']);
    expect(internal!.verdict.action).toBe('deliver');
  });

  it('prints a short human report without --json', () => {
    const run = runCli(['scan', join(CORPUS, 'pupil-name-subject.eml'), ...SCHOOL]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^fixtures\/corpus\/pupil-name-subject\.eml: RETURN\n/);
    expect(run.stdout).toContain('subject:\n    pupil-name [critical] "Kwame Mensah"');
  });
});

describe('hallmonitor scan errors', () => {
  it('exits 2 with one line for a missing file', () => {
    const run = runCli(['scan', 'no-such-file.eml']);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('no-such-file.eml');
  });

  it('still scans the other files, reports the unreadable ones on stderr, and exits 2', () => {
    const run = runCli(['scan', 'no-such-file.eml', join(CORPUS, 'clean-trip-letter.eml'), CORPUS, ...SCHOOL, '--json']);
    expect(run.status).toBe(2);
    const reasons = run.stderr.trim().split('\n');
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toContain('no-such-file.eml');
    expect(reasons[1]).toContain(`cannot scan ${CORPUS}`);
    const reports = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ReportLine);
    expect(reports.map((report) => [report.file, report.verdict.action])).toEqual([['clean-trip-letter.eml', 'deliver']]);
  });

  it('exits 2 for an unknown option and for no file at all', () => {
    expect(runCli(['scan', join(CORPUS, 'clean-trip-letter.eml'), '--frobnicate']).status).toBe(2);
    expect(runCli(['scan']).status).toBe(2);
  });

  it('exits 2 naming the row and column of a bad roster, and scans nothing', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'hm-cli-'));
    const roster = join(folder, 'pupils.csv');
    await writeFile(roster, 'UPN,Forename,Surname,DOB\nA123,Ada,Lovelace,31/02/2015\n');
    const run = runCli(['scan', join(CORPUS, 'clean-trip-letter.eml'), '--roster', roster, '--json']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/pupils\.csv.*row 2.*D/);
  });

  it('exits 2 naming the file and line of a bad rule set', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'hm-cli-'));
    await writeFile(
      join(folder, 'rules.yaml'),
      'rules:\n  - id: x\n    description: d\n    clause: c\n    reason: r\n    when: { finding: { category: pupil-name } }\n    action: maybe\n',
    );
    const run = runCli(['scan', join(CORPUS, 'clean-trip-letter.eml'), '--rules', folder]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/rules\.yaml:7 rules\[0\]\.action/);
  });
});
