import type { z } from 'zod';
import type { Envelope } from '../message/envelope.js';
import type { MessageView } from '../message/message-view.js';
import type { SchoolDirectory } from '../roster/roster.js';
import type { Finding, FindingCategory } from './finding.js';

/** What a detector may know beyond the message itself. */
export interface ScanContext {
  readonly envelope: Envelope;
  readonly directory: SchoolDirectory;
  /** The school's own mail domains, lower case; recipients outside them are external. */
  readonly schoolDomains: readonly string[];
}

/** A pure function from a message to the facts found in it. Detectors never decide. */
export type Detector = (view: MessageView, context: ScanContext) => readonly Finding[];

/** What a school may tune in its detectors; every default is in `DEFAULT_DETECTOR_SETTINGS`. */
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
 * Reads the vocabulary file `name` (e.g. `language.yaml`) from the rule folder's `vocabulary/`,
 * or the shipped one where the folder has none, validated by `schema`.
 */
export type VocabularyReader = <Schema extends z.ZodType>(name: string, schema: Schema) => Promise<z.output<Schema>>;

/** A detector as the registry lists it: the categories it may emit, and how to build it for one school. */
export interface DetectorDefinition {
  /** What its findings carry in `detector`. */
  readonly name: string;
  /** Every category its findings may have; a rule on a category no detector emits is refused at start. */
  readonly categories: readonly FindingCategory[];
  readonly build: (vocabulary: VocabularyReader, settings: DetectorSettings) => Detector | Promise<Detector>;
}
