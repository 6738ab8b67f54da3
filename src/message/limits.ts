import { MessageReadError } from './errors.js';

/** Hard limits on reading one message, so hostile input ends in a problem or a fact, never a hang. */
export interface MessageLimits {
  /** Bytes of raw message read; the rest is not read and the view carries a `too-large` problem. */
  readonly maxMessageBytes: number;
  /** MIME parts in any one message (multiparts included), and files in the whole message: attachments and archive members together. */
  readonly maxParts: number;
  /** How deep archives and attached messages are opened: 1 opens `a.zip` but not `a.zip/b.zip`. */
  readonly maxArchiveDepth: number;
  /** Bytes decompressed from archives and Office files for the whole message (zip bomb guard). */
  readonly maxDecompressedBytes: number;
  /** Time to extract the text of one file; archives and nested messages are bounded by `maxMessageMillis`. */
  readonly maxExtractMillis: number;
  /** Characters of text kept from one attachment; the rest is not scanned. */
  readonly maxAttachmentTextChars: number;
  /** Characters of one body (plain text, or HTML before conversion) kept; the rest is not scanned. */
  readonly maxBodyTextChars: number;
  /** Time to read the whole message; what was read by then is returned with a `timeout` problem. */
  readonly maxMessageMillis: number;
  /** Images read by OCR in one message, image attachments and scanned PDF pages together; the rest get an `ocr-limit` fact. */
  readonly maxOcrImages: number;
  /** Pixels (width × height) of one image read by OCR; a larger one gets an `ocr-limit` fact. */
  readonly maxOcrPixels: number;
  /** OCR time for one image; a slower one is stopped and gets an `ocr-limit` fact. Not counted in `maxExtractMillis`. */
  readonly maxOcrMillis: number;
}

export const DEFAULT_MESSAGE_LIMITS: MessageLimits = Object.freeze({
  maxMessageBytes: 50 * 1024 * 1024,
  maxParts: 500,
  maxArchiveDepth: 3,
  maxDecompressedBytes: 100 * 1024 * 1024,
  maxExtractMillis: 5_000,
  maxAttachmentTextChars: 1_000_000,
  maxBodyTextChars: 2_000_000,
  maxMessageMillis: 30_000,
  maxOcrImages: 10,
  // A 12-megapixel phone photo (4032 x 3024) of a paper form passes; a poster-sized scan does not.
  maxOcrPixels: 16_000_000,
  maxOcrMillis: 10_000,
});

/** Fills in defaults and refuses limits that are not whole numbers (depth may be 0: no archive is opened). */
export function resolveLimits(overrides: Partial<MessageLimits> = {}): MessageLimits {
  const limits: MessageLimits = { ...DEFAULT_MESSAGE_LIMITS, ...definedOnly(overrides) };
  for (const [field, value] of Object.entries(limits)) {
    const least = field === 'maxArchiveDepth' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < least) {
      throw new MessageReadError('invalid-limits', `limit ${field} must be a whole number of at least ${least}`);
    }
  }
  return limits;
}

function definedOnly(overrides: Partial<MessageLimits>): Partial<MessageLimits> {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
}

/** A byte count as a person reads it: "512 bytes", "100 MB". */
export function bytesInWords(bytes: number): string {
  const megabytes = bytes / (1024 * 1024);
  return megabytes >= 1 ? `${Math.round(megabytes * 10) / 10} MB` : `${bytes} bytes`;
}
