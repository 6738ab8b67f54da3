import type { MessageLimits } from '../limits.js';
import type { AttachmentFact } from '../message-view.js';
import type { ImageToRead, OcrOutcome } from '../ocr.js';
import type { ReadBudget } from '../read-budget.js';
import { HallmonitorError } from '../../errors/hallmonitor-error.js';

/** One file to read: an attachment, an archive member, or an attachment of an attached message. */
export interface FileInput {
  /** Path shown to people: `report.pdf`, `outer.zip/inner.docx`. */
  readonly path: string;
  readonly bytes: Buffer;
  /** The `charset` the sender declared, for text. */
  readonly charset: string | undefined;
}

/** A file to scan as its container hands it over: a MIME attachment, an archive member, an attachment of an attached message. */
export interface MemberInput {
  /** Its name in its container (`report.pdf`, `folder/notes.txt`). */
  readonly name: string;
  readonly bytes: Buffer;
  readonly declaredType: string;
  readonly charset: string | undefined;
  /** Set when the member cannot be opened (it is encrypted, or a limit stopped it): it is recorded with this fact, unread. */
  readonly unread?: { readonly fact: AttachmentFact; readonly sizeBytes: number };
}

export interface ExtractContext {
  /** Aborts when this file's time is up or the message's is; extractors stop what they can. */
  readonly signal: AbortSignal;
  readonly limits: MessageLimits;
  readonly budget: ReadBudget;
  /** Scans a file found inside this one as a file of its own; only containers call it. */
  readonly scanMember: (member: MemberInput) => Promise<void>;
  /**
   * Reads the text in an image by OCR within the message's OCR limits (ocr.ts). Its time is the
   * image's own (`maxOcrMillis`), not counted in this file's `maxExtractMillis`. Call it only
   * when `budget.ocrWanted`.
   */
  readonly readImage: (image: ImageToRead) => Promise<OcrOutcome>;
}

export interface Extraction {
  /** Pieces of text, each read as a whole (a document's text; an attached message's subject and bodies). */
  readonly texts: readonly string[];
  /** Text read by OCR from the file's images or scanned pages, one piece per image; absent for none. */
  readonly ocrTexts?: readonly string[];
  /** First-sheet rows of a spreadsheet or CSV, cells trimmed; empty for other kinds. */
  readonly tableRows: readonly (readonly string[])[];
  readonly facts: readonly AttachmentFact[];
  /** True when the extractor stopped before the end because of `maxAttachmentTextChars`. */
  readonly truncated: boolean;
}

/** Reads the text out of one kind of file. Throws when the file cannot be read. */
export type Extractor = (file: FileInput, context: ExtractContext) => Promise<Extraction>;

export function textExtraction(texts: readonly string[], facts: readonly AttachmentFact[] = []): Extraction {
  return { texts, tableRows: [], facts, truncated: false };
}

/** VBA macros, found in an Office Open XML package or an older binary Office file. */
export const MACROS: AttachmentFact = {
  kind: 'executable',
  detail: 'the document contains macros (programs that run when it is opened)',
};

/** Thrown by an extractor when reading further would pass a message-wide limit. */
export class LimitExceededError extends HallmonitorError {
  override readonly name = 'LimitExceededError';
  readonly disposition = 'permanent';

  constructor(
    readonly code: 'decompressed-bytes' | 'parts',
    message: string,
  ) {
    super(message);
  }
}
