import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { DEFAULT_RULES_DIRECTORY } from '../package-root.js';
import { parseYamlFile } from '../config/yaml-file.js';
import { createAttachmentDetector } from './attachments.js';
import { chainLetterVocabularySchema, createChainLetterDetector } from './chain-letter.js';
import type { Detector } from './detector.js';
import { detectEncryptRequest } from './encrypt-request.js';
import { createLanguageDetector, languageVocabularySchema } from './language.js';
import { createPersonNameDetector } from './person-name.js';
import { createPersonalDataDetector } from './personal-data.js';
import { detectPupilNames } from './pupil-name.js';
import { createRecipientsDetector, webmailVocabularySchema } from './recipients.js';
import { createSensitiveDetector, sensitiveVocabularySchema } from './sensitive.js';

/** What a school may tune in its detectors; every default is here. */
export interface DetectorSettings {
  /** The school's own names, never reported as people. */
  readonly schoolNames?: readonly string[];
  /** The school's own telephone numbers and postcodes, which are not personal data. */
  readonly schoolPhoneNumbers?: readonly string[];
  readonly schoolPostcodes?: readonly string[];
  /** People listed in one attachment that make it bulk personal data. */
  readonly bulkRowThreshold?: number;
  /** External addresses visible in To/Cc that make a message visible-bulk. */
  readonly visibleBulkThreshold?: number;
}

export const DEFAULT_DETECTOR_SETTINGS = { bulkRowThreshold: 10, visibleBulkThreshold: 8 } as const;

/**
 * Every detector, in the order their findings are listed. Vocabularies come from
 * `RULES/vocabulary/`, falling back to the shipped ones for files a rule folder does not have.
 * Adding a detector touches its own file, its test and one line here.
 */
export async function loadDetectors(
  rulesDirectory: string = DEFAULT_RULES_DIRECTORY,
  fallbackDirectory: string = DEFAULT_RULES_DIRECTORY,
  settings: DetectorSettings = {},
): Promise<Detector[]> {
  const vocabulary = <Schema extends z.ZodType>(name: string, schema: Schema) => loadVocabulary(name, schema, rulesDirectory, fallbackDirectory);
  const [language, sensitive, chainLetter, webmail] = await Promise.all([
    vocabulary('language.yaml', languageVocabularySchema),
    vocabulary('sensitive.yaml', sensitiveVocabularySchema),
    vocabulary('chain-letter.yaml', chainLetterVocabularySchema),
    vocabulary('webmail-domains.yaml', webmailVocabularySchema),
  ]);
  return [
    detectEncryptRequest,
    detectPupilNames,
    createPersonNameDetector({ schoolNames: settings.schoolNames ?? [] }),
    createPersonalDataDetector({ ignorePhoneNumbers: settings.schoolPhoneNumbers ?? [], ignorePostcodes: settings.schoolPostcodes ?? [] }),
    createSensitiveDetector(sensitive),
    createLanguageDetector(language),
    createChainLetterDetector(chainLetter),
    createAttachmentDetector({ bulkRowThreshold: settings.bulkRowThreshold ?? DEFAULT_DETECTOR_SETTINGS.bulkRowThreshold }),
    createRecipientsDetector({
      webmailDomains: webmail.domains,
      visibleBulkThreshold: settings.visibleBulkThreshold ?? DEFAULT_DETECTOR_SETTINGS.visibleBulkThreshold,
    }),
  ];
}

async function loadVocabulary<Schema extends z.ZodType>(
  name: string,
  schema: Schema,
  rulesDirectory: string,
  fallbackDirectory: string,
): Promise<z.output<Schema>> {
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
