import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/policy/decide.js';
import { composeRuleSet, loadRuleDirectory, loadRuleSet, parseRuleFile, RulesError } from '../../src/policy/load-rules.js';
import { finding } from './findings.js';

const VALID_RULE = `
  - id: profanity
    description: Swearing
    clause: AUP 4.2
    reason: Please rephrase
    when:
      finding: { category: language/profanity }
    action: return
`;

function errorOf(text: string): RulesError {
  try {
    parseRuleFile(text, 'school.yaml');
  } catch (error) {
    if (error instanceof RulesError) return error;
    throw error;
  }
  throw new Error('expected a RulesError');
}

describe('rule files', () => {
  it('parse into rules with defaults filled in', () => {
    const file = parseRuleFile(`rules:${VALID_RULE}`, 'ok.yaml');
    expect(file.rules[0]).toMatchObject({ id: 'profanity', action: 'return', notify: [] });
    expect(file.disable).toEqual([]);
  });

  it('name file, line and field for an unknown action', () => {
    const error = errorOf(`rules:${VALID_RULE.replace('action: return', 'action: bounce')}`);
    expect(error.file).toBe('school.yaml');
    expect(error.line).toBe(8);
    expect(error.field).toBe('rules[0].action');
    expect(error.message).toMatch(/^school\.yaml:8 rules\[0\]\.action: /);
  });

  it('name the line of an unknown finding category', () => {
    const error = errorOf(`rules:${VALID_RULE.replace('language/profanity', 'language/rudeness')}`);
    expect(error.line).toBe(7);
    expect(error.field).toBe('rules[0].when.finding.category');
    expect(error.message).toContain('unknown finding category');
  });

  it('name a missing required field', () => {
    const error = errorOf(`rules:${VALID_RULE.replace('    clause: AUP 4.2\n', '')}`);
    expect(error.field).toBe('rules[0].clause');
    expect(error.line).toBe(2);
  });

  it('refuse unknown keys, so a typo never silently weakens a rule', () => {
    const error = errorOf(`rules:${VALID_RULE.replace('action: return', 'acton: return')}`);
    expect(error.field).toMatch(/^rules\[0\]/);
    expect(error.message).toMatch(/acton|action/);
  });

  it('refuse a wrong-typed condition value', () => {
    const error = errorOf(`rules:${VALID_RULE.replace('finding: { category: language/profanity }', 'recipients: { external: maybe }')}`);
    expect(error.field).toBe('rules[0].when.recipients.external');
    expect(error.line).toBe(7);
  });

  it('report broken YAML with its line', () => {
    const error = errorOf('rules:\n  - id: a\n    description: [unclosed\n');
    expect(error.line).toBeGreaterThanOrEqual(3);
  });

  it('refuse duplicate ids in one rule set', () => {
    const file = parseRuleFile(`rules:${VALID_RULE}${VALID_RULE}`, 'dup.yaml');
    expect(() => composeRuleSet([file])).toThrow(/duplicate rule id/);
  });

  it('refuse a directory with no rule files, so the gateway never runs with no policy', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'hm-rules-'));
    await expect(loadRuleDirectory(directory)).rejects.toThrow(/no rule files/);
  });

  it('fail the whole load when one file of several is bad', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'hm-rules-'));
    await writeFile(join(directory, '10-good.yaml'), `rules:${VALID_RULE}`);
    await writeFile(join(directory, '20-bad.yaml'), `rules:${VALID_RULE.replace('profanity\n', 'other\n').replace('action: return', 'action: 7')}`);
    await expect(loadRuleSet(directory)).rejects.toThrow(/20-bad\.yaml:\d+ rules\[0\]\.action/);
  });

  it('refuse a rule on a category that no detector reports, naming the rule and the category', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'hm-rules-'));
    const nested = VALID_RULE.replace('finding: { category: language/profanity }', 'any: [{ not: { finding: { category: [content/chain-letter, language/*] } } }]');
    await writeFile(join(directory, '10-rules.yaml'), `rules:${nested}`);
    const withoutLanguage = new Set(['content/chain-letter'] as const);
    await expect(loadRuleSet(directory, undefined, withoutLanguage)).rejects.toThrow(
      `${directory} profanity: no detector reports the finding category "language/*", so this rule could never fire`,
    );
    const withProfanity = new Set(['content/chain-letter', 'language/profanity'] as const);
    expect((await loadRuleSet(directory, undefined, withProfanity)).rules).toHaveLength(1);
    expect((await loadRuleSet(directory)).rules).toHaveLength(1);
  });
});

describe('school overrides', () => {
  const base = parseRuleFile(`rules:${VALID_RULE}${VALID_RULE.replace('id: profanity', 'id: chain').replace('language/profanity', 'content/chain-letter')}`, 'base.yaml');

  it('replace an inherited rule by id', () => {
    const override = parseRuleFile(`rules:${VALID_RULE.replace('action: return', 'action: quarantine')}`, 'school.yaml');
    const verdict = decide(composeRuleSet([base], [override]), {
      findings: [finding('language/profanity')],
      internalRecipients: [],
      externalRecipients: [],
      senderGroups: [],
      externalRecipientsAreContactsOfNamedPupils: false,
      unreadReasons: [],
    });
    expect(verdict.action).toBe('quarantine');
    expect(composeRuleSet([base], [override]).rules).toHaveLength(2);
  });

  it('disable an inherited rule and extend with new ones', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'hm-school-'));
    await mkdir(directory, { recursive: true });
    await writeFile(
      join(directory, 'overrides.yaml'),
      `disable: [chain]\nrules:${VALID_RULE.replace('id: profanity', 'id: no-slurs').replace('language/profanity', 'language/slur')}`,
    );
    const [override] = await loadRuleDirectory(directory);
    const ruleSet = composeRuleSet([base], [override!]);
    expect(ruleSet.rules.map((rule) => rule.id)).toEqual(['profanity', 'no-slurs']);
  });
});
