import { describe, expect, it } from 'vitest';
import { LabelsError, parseLabels } from '../../src/eval/labels.js';

const GOOD = `
- file: a.eml
  expect:
    - category: pupil-name
      part: subject
      match: Kwame Mensah
      pupilId: G202253518951
  verdict: [return, quarantine]
  notes: a pupil's full name in the subject
- file: b.eml
  envelope:
    from: a@stmarys-example.sch.uk
    rcpt: [parent@gmail.com]
  expect:
    - category: attachment/executable
      part: attachment
      name: invoice.pdf
  verdict: quarantine
- file: c.eml
  expect: []
  verdict: deliver
`;

function problem(text: string): LabelsError {
  try {
    parseLabels(text, 'labels.yaml');
  } catch (error) {
    if (error instanceof LabelsError) return error;
    throw error;
  }
  throw new Error('the labels were accepted');
}

/** GOOD with its second entry's expected finding replaced. */
function withSecondFinding(finding: string): string {
  return GOOD.replace(/ {4}- category: attachment\/executable\n {6}part: attachment\n {6}name: invoice\.pdf\n/, finding);
}

describe('parseLabels', () => {
  it('reads every entry with its envelope, findings, verdicts and notes', () => {
    const labels = parseLabels(GOOD, 'labels.yaml');
    expect(labels).toEqual([
      {
        file: 'a.eml',
        expect: [{ category: 'pupil-name', part: 'subject', match: 'Kwame Mensah', pupilId: 'G202253518951' }],
        verdict: ['return', 'quarantine'],
        notes: "a pupil's full name in the subject",
      },
      {
        file: 'b.eml',
        envelope: { from: 'a@stmarys-example.sch.uk', rcpt: ['parent@gmail.com'] },
        expect: [{ category: 'attachment/executable', part: 'attachment', name: 'invoice.pdf' }],
        verdict: 'quarantine',
      },
      { file: 'c.eml', expect: [], verdict: 'deliver' },
    ]);
  });

  it('names the entry and field of an unknown category', () => {
    const error = problem(GOOD.replace('category: pupil-name', 'category: pupil-names'));
    expect(error.code).toBe('labels-invalid');
    expect(error.entry).toBe('entry 1 (a.eml)');
    expect(error.message).toMatch(/^labels\.yaml entry 1 \(a\.eml\): expect\.0\.category: /);
  });

  it('requires an attachment name for attachment parts, and only for them', () => {
    expect(problem(withSecondFinding('    - category: attachment/executable\n      part: attachment\n')).message).toContain('entry 2 (b.eml): expect.0.name: name is required');
    expect(problem(withSecondFinding('    - category: sensitive/sen\n      part: body\n      name: x.docx\n      match: autism\n')).message).toContain('expect.0.name');
  });

  it('requires match except for categories whose text the detector chooses', () => {
    expect(problem(withSecondFinding('    - category: sensitive/sen\n      part: body\n')).message).toContain('expect.0.match: match is required');
    expect(parseLabels(withSecondFinding('    - category: personal-data/address\n      part: body\n'), 'labels.yaml')[1]?.expect).toEqual([
      { category: 'personal-data/address', part: 'body' },
    ]);
  });

  it('requires a pupil id on pupil-name and misdirected findings, and only there', () => {
    expect(problem(GOOD.replace('      pupilId: G202253518951\n', '')).message).toContain('entry 1 (a.eml): expect.0.pupilId');
    expect(problem(withSecondFinding('    - category: person-name\n      part: body\n      match: Dana Whitlock\n      pupilId: X\n')).message).toContain('expect.0.pupilId');
  });

  it('rejects an unknown part, an unknown action and an empty verdict list', () => {
    expect(problem(GOOD.replace('part: subject', 'part: header')).message).toContain('expect.0.part');
    expect(problem(GOOD.replace('verdict: deliver', 'verdict: bounce')).message).toContain('entry 3 (c.eml): verdict');
    expect(problem(GOOD.replace('verdict: deliver', 'verdict: []')).message).toContain('entry 3 (c.eml): verdict');
  });

  it('rejects unknown fields, so that a misspelt field is not silently ignored', () => {
    expect(problem(GOOD.replace('  notes:', '  note:')).message).toContain('entry 1 (a.eml)');
  });

  it('rejects a file labelled twice, a file that is not .eml, a document that is not a list, and broken YAML', () => {
    expect(problem(GOOD.replace('file: c.eml', 'file: a.eml')).message).toBe('labels.yaml entry 3 (a.eml): the file is labelled twice');
    expect(problem(GOOD.replace('file: c.eml', 'file: c.msg')).message).toContain('entry 3 (c.msg): file');
    expect(problem('file: a.eml\nexpect: []\nverdict: deliver\n').message).toBe('labels.yaml: expected a list of labelled messages');
    expect(problem('- file: a.eml\n  expect: [\n').message).toMatch(/^labels\.yaml: not valid YAML/);
  });
});
