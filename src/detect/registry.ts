import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { parseYamlFile } from '../config/yaml-file.js';
import { DEFAULT_RULES_DIRECTORY } from '../package-root.js';
import { attachmentDetector } from './attachments.js';
import type { FindingCategory } from './categories.js';
import { chainLetterDetector } from './chain-letter.js';
import type { Detector, DetectorDefinition, DetectorSettings, VocabularyReader } from './detector.js';
import { encryptRequestDetector } from './encrypt-request.js';
import { languageDetector } from './language.js';
import { personNameDetector } from './person-name.js';
import { personalDataDetector } from './personal-data.js';
import { pupilNameDetector } from './pupil-name.js';
import { recipientsDetector } from './recipients.js';
import { sensitiveDetector } from './sensitive.js';

export { DEFAULT_DETECTOR_SETTINGS, type DetectorSettings } from './detector.js';

/** Every detector, in the order their findings are listed. Adding one is one line here (see README.md). */
export const DETECTORS: readonly DetectorDefinition[] = [
  encryptRequestDetector,
  pupilNameDetector,
  personNameDetector,
  personalDataDetector,
  sensitiveDetector,
  languageDetector,
  chainLetterDetector,
  attachmentDetector,
  recipientsDetector,
];

/** The categories some detector may emit: a rule on any other could never fire. */
export function emittedCategories(detectors: readonly DetectorDefinition[] = DETECTORS): ReadonlySet<FindingCategory> {
  return new Set(detectors.flatMap((detector) => detector.categories));
}

/**
 * Builds every detector for one school. Vocabularies come from `RULES/vocabulary/`, by file name,
 * falling back to the shipped ones for files a rule folder does not have.
 */
export async function loadDetectors(
  rulesDirectory: string = DEFAULT_RULES_DIRECTORY,
  fallbackDirectory: string = DEFAULT_RULES_DIRECTORY,
  settings: DetectorSettings = {},
): Promise<Detector[]> {
  const vocabulary: VocabularyReader = (name, schema) => readVocabulary(name, schema, rulesDirectory, fallbackDirectory);
  return Promise.all(DETECTORS.map((detector) => detector.build(vocabulary, settings)));
}

async function readVocabulary<Schema extends z.ZodType>(name: string, schema: Schema, rulesDirectory: string, fallbackDirectory: string): Promise<z.output<Schema>> {
  const own = join(rulesDirectory, 'vocabulary', name);
  const path = (await exists(own)) ? own : join(fallbackDirectory, 'vocabulary', name);
  return parseYamlFile(schema, await readFile(path, 'utf8'), path);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
