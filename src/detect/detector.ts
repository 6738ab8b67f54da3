import type { Envelope } from '../message/envelope.js';
import type { MessageView } from '../message/message-view.js';
import type { SchoolDirectory } from '../roster/roster.js';
import type { Finding } from './finding.js';

/** What a detector may know beyond the message itself. */
export interface ScanContext {
  readonly envelope: Envelope;
  readonly directory: SchoolDirectory;
  /** The school's own mail domains, lower case; recipients outside them are external. */
  readonly schoolDomains: readonly string[];
}

/** A pure function from a message to the facts found in it. Detectors never decide. */
export type Detector = (view: MessageView, context: ScanContext) => readonly Finding[];
