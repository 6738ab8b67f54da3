/**
 * What the scanners see of one message: plain data, no streams, no parser objects.
 * Every piece of text carries the place it came from, so a finding can say where it is.
 */

/** Where a piece of text sits in the message (docs/architecture.md, "hallmonitor scan", `location`). */
export type TextLocation =
  | { readonly part: 'subject' }
  | { readonly part: 'body' }
  /**
   * Text extracted from an attachment; `name` is its path, members of archives joined with `/`.
   * `ocr` marks text read by OCR from an image or a scanned PDF page, which may hold misread letters.
   */
  | { readonly part: 'attachment'; readonly name: string; readonly ocr?: true }
  /** The attachment's file name itself. */
  | { readonly part: 'attachment-name'; readonly name: string };

export interface TextPiece {
  readonly location: TextLocation;
  /** Decoded text as a reader sees it (HTML already turned into text). */
  readonly text: string;
}

export interface MailAddress {
  /** Lower-cased `local@domain`. */
  readonly address: string;
  readonly displayName: string;
}

/**
 * Why an attachment's content was left unread without that being a fault: not findings about the
 * content (nothing was read to find anything), but facts the policy may act on.
 * - `media`: audio or video, where nothing is text to read.
 * - `ocr-limit`: an image (or scanned page) whose text OCR did not read: a limit stopped it, or it
 *   could not be decoded.
 */
export const UNREAD_REASONS = ['media', 'ocr-limit'] as const;
export type UnreadReason = (typeof UNREAD_REASONS)[number];

/** A fact about an attachment that extraction established without judging it. */
export type AttachmentFact =
  | { readonly kind: 'executable'; readonly detail: string }
  | { readonly kind: 'password-protected'; readonly detail: string }
  | { readonly kind: 'unscannable'; readonly detail: string }
  | { readonly kind: UnreadReason; readonly detail: string };

export interface AttachmentView {
  /** Path of the attachment: its file name, or `outer.zip/inner.docx` for archive members. */
  readonly name: string;
  /** MIME type as declared by the sender, lower case. */
  readonly declaredType: string;
  /** MIME type sniffed from the content where it could be, else the declared one. */
  readonly detectedType: string;
  readonly sizeBytes: number;
  readonly facts: readonly AttachmentFact[];
  /** Rows of a spreadsheet or CSV (first sheet rows, trimmed cells); empty for other kinds. */
  readonly tableRows: readonly (readonly string[])[];
}

/** A limit or fault met while reading the message as a whole (not tied to one attachment). */
export interface MessageProblem {
  readonly kind: 'too-large' | 'too-many-parts' | 'malformed' | 'timeout';
  readonly detail: string;
}

export interface MessageView {
  readonly messageId: string | undefined;
  readonly subject: string;
  readonly from: MailAddress | undefined;
  readonly to: readonly MailAddress[];
  readonly cc: readonly MailAddress[];
  readonly bcc: readonly MailAddress[];
  /** Subject, body (plain and HTML-as-text), attachment names and attachment text, in that order. */
  readonly pieces: readonly TextPiece[];
  readonly attachments: readonly AttachmentView[];
  readonly problems: readonly MessageProblem[];
}
