import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import type { RuleSet } from './decide.js';
import { ruleFileSchema, type Rule, type RuleFile } from './rule.js';

/** A rule file that cannot be used; the gateway refuses to start on it rather than run half a policy. */
export class RulesError extends Error {
  readonly code = 'rules-invalid';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly field: string | undefined,
    problem: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}${field ? ` ${field}` : ''}: ${problem}`);
    this.name = 'RulesError';
  }
}

/** Parses one rule file's text; pure, so `rules check` and start-up give the same errors. */
export function parseRuleFile(text: string, fileLabel: string): RuleFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = document.errors[0];
  if (yamlError) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    throw new RulesError(fileLabel, line, undefined, yamlError.message.split('\n')[0] ?? 'invalid YAML');
  }
  const parsed = ruleFileSchema.safeParse(document.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const issue = deepestIssue(parsed.error.issues);
  const node = document.getIn(issue.path as (string | number)[], true);
  const offset = isNode(node) && node.range ? node.range[0] : nearestRange(document, issue.path);
  const line = offset === undefined ? undefined : lineCounter.linePos(offset).line;
  throw new RulesError(fileLabel, line, fieldName(issue.path), issue.message);
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

type Issue = z.core.$ZodIssue;

/** Union errors hide the useful message inside; report the innermost, most specific one. */
function deepestIssue(issues: readonly Issue[]): Issue {
  let best = issues[0]!;
  for (const issue of issues) {
    const candidate = issue.code === 'invalid_union' ? deepestIssue(issue.errors.flat().map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }))) : issue;
    if (candidate.path.length > best.path.length) best = candidate;
  }
  return best.code === 'invalid_union' && best.errors.length > 0 ? deepestIssue(best.errors.flat().map((inner) => ({ ...inner, path: [...best.path, ...inner.path] }))) : best;
}

function nearestRange(document: ReturnType<typeof parseDocument>, path: readonly PropertyKey[]): number | undefined {
  for (let length = path.length - 1; length >= 0; length -= 1) {
    const node = document.getIn(path.slice(0, length) as (string | number)[], true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('').replace(/^\./, '');
}
