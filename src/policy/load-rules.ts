import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuleSet } from './decide.js';
import { ruleFileSchema, type Condition, type Rule, type RuleFile } from './rule.js';
import { parseYamlFile, RulesError } from '../config/yaml-file.js';
import { categoriesMatching, type FindingCategory } from '../detect/categories.js';
import { emittedCategories } from '../detect/registry.js';

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

/**
 * The rule set in force, refused when a rule names a category that no detector emits (`emitted`:
 * the registry's), since such a rule could never fire and the school would believe it protected.
 */
export async function loadRuleSet(directory: string, overridesDirectory?: string, emitted: ReadonlySet<FindingCategory> = emittedCategories()): Promise<RuleSet> {
  const base = await loadRuleDirectory(directory);
  const overrides = overridesDirectory === undefined ? [] : await loadRuleDirectory(overridesDirectory);
  const ruleSet = composeRuleSet(base, overrides);
  checkRuleCategories(ruleSet, emitted, overridesDirectory ?? directory);
  return ruleSet;
}

/** Throws a RulesError naming the first rule, and the category, that no detector in `emitted` reports. */
export function checkRuleCategories(ruleSet: RuleSet, emitted: ReadonlySet<FindingCategory>, fileLabel: string): void {
  for (const rule of ruleSet.rules) {
    for (const pattern of categoryPatterns(rule.when)) {
      if (categoriesMatching(pattern).some((category) => emitted.has(category))) continue;
      throw new RulesError(fileLabel, undefined, rule.id, `no detector reports the finding category "${pattern}", so this rule could never fire`);
    }
  }
}

function categoryPatterns(condition: Condition): string[] {
  if ('all' in condition) return condition.all.flatMap(categoryPatterns);
  if ('any' in condition) return condition.any.flatMap(categoryPatterns);
  if ('not' in condition) return categoryPatterns(condition.not);
  if ('finding' in condition) return [...condition.finding.category];
  return [];
}

function addRules(rules: Map<string, Rule>, file: RuleFile, replacing: boolean): void {
  for (const rule of file.rules) {
    if (!replacing && rules.has(rule.id)) throw new RulesError('rules', undefined, rule.id, 'duplicate rule id');
    rules.set(rule.id, rule);
  }
}
