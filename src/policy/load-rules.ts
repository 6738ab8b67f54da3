import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuleSet } from './decide.js';
import { ruleFileSchema, type Rule, type RuleFile } from './rule.js';
import { parseYamlFile, RulesError } from '../config/yaml-file.js';

export { RulesError } from '../config/yaml-file.js';

/** Parses one rule file's text; pure, so `rules check` and start-up give the same errors. */
export function parseRuleFile(text: string, fileLabel: string): RuleFile {
  return parseYamlFile(ruleFileSchema, text, fileLabel);
}

/** Loads every `*.yaml` directly in `directory` (not its vocabulary folder), in name order. */
export async function loadRuleDirectory(directory: string): Promise<RuleFile[]> {
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => /\.ya?ml$/.test(name)).sort();
  } catch (error) {
    throw new RulesError(directory, undefined, undefined, `cannot read the rules directory (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (names.length === 0) throw new RulesError(directory, undefined, undefined, 'no rule files (*.yaml) found');
  return Promise.all(names.map(async (name) => parseRuleFile(await readFile(join(directory, name), 'utf8'), join(directory, name))));
}

/**
 * One rule set from the defaults and, optionally, a school's overrides:
 * a school rule with an inherited id replaces it, new ids extend, `disable` switches inherited ones off.
 */
export function composeRuleSet(base: readonly RuleFile[], overrides: readonly RuleFile[] = []): RuleSet {
  const rules = new Map<string, Rule>();
  for (const file of base) addRules(rules, file, false);
  for (const file of overrides) addRules(rules, file, true);
  for (const file of overrides) for (const id of file.disable) rules.delete(id);
  return { rules: [...rules.values()] };
}

export async function loadRuleSet(directory: string, overridesDirectory?: string): Promise<RuleSet> {
  const base = await loadRuleDirectory(directory);
  const overrides = overridesDirectory === undefined ? [] : await loadRuleDirectory(overridesDirectory);
  return composeRuleSet(base, overrides);
}

function addRules(rules: Map<string, Rule>, file: RuleFile, replacing: boolean): void {
  for (const rule of file.rules) {
    if (!replacing && rules.has(rule.id)) throw new RulesError('rules', undefined, rule.id, 'duplicate rule id');
    rules.set(rule.id, rule);
  }
}
