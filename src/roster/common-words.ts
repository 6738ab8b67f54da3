import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_RULES_DIRECTORY } from '../package-root.js';
import { parseYamlFile } from '../config/yaml-file.js';

/** The shipped list of ordinary English words that can also be names (see `name-index.ts`). */
export const DEFAULT_COMMON_WORDS_FILE = join(DEFAULT_RULES_DIRECTORY, 'vocabulary', 'common-words.yaml');

/** `rules/vocabulary/common-words.yaml`: `words` is one block of whitespace-separated words. */
const commonWordsSchema = z.object({
  words: z
    .string()
    .transform((block) => block.split(/\s+/).filter((word) => word !== ''))
    .pipe(z.array(z.string().regex(/^[a-z]+$/, 'write each word in lower case, letters only')).min(1)),
});

/** Parses a common-words file; a bad file throws RulesError naming the file and line. */
export function parseCommonWords(yamlText: string, fileLabel: string): ReadonlySet<string> {
  return new Set(parseYamlFile(commonWordsSchema, yamlText, fileLabel).words);
}

export function loadCommonWords(file: string = DEFAULT_COMMON_WORDS_FILE): ReadonlySet<string> {
  return parseCommonWords(readFileSync(file, 'utf8'), file);
}

let shipped: ReadonlySet<string> | undefined;

/** The shipped list, read once. */
export function defaultCommonWords(): ReadonlySet<string> {
  shipped ??= loadCommonWords();
  return shipped;
}
