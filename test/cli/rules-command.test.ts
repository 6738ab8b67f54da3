import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIRECTORY } from '../../src/package-root.js';
import { loadRuleSet } from '../../src/policy/load-rules.js';
import { renderPolicyTable } from '../../src/policy/policy-table.js';
import { runCli } from './run-cli.js';

describe('hallmonitor rules', () => {
  it('check validates the shipped rules', () => {
    const run = runCli(['rules', 'check']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\d+ rules, valid/);
  });

  it('explain shows each fired rule, its findings, and why the action won', () => {
    const run = runCli(['rules', 'explain', 'fixtures/corpus/profanity-subject.eml', '--roster', 'fixtures/roster/pupils.csv', '--domain', 'stmarys-example.sch.uk']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^verdict: return/);
    expect(run.stdout).toContain('profanity → return (deciding)');
    expect(run.stdout).toMatch(/on: language\/profanity in subject/);
  });

  it('docs/policy.md is the table generated from rules/, so the two cannot drift', async () => {
    const generated = renderPolicyTable(await loadRuleSet(DEFAULT_RULES_DIRECTORY));
    expect(await readFile('docs/policy.md', 'utf8')).toBe(`${generated}\n`);
  });
});
