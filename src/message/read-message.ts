import { memberFromMime } from './mime-member.js';
import { messageTexts } from './message-text.js';
import { readMime } from './mime-reader.js';
import type { MessageAddresses, MimeAttachment } from './mime-reader.js';
import { resolveLimits } from './limits.js';
import type { MessageLimits } from './limits.js';
import type { AttachmentView, MessageView, TextPiece } from './message-view.js';
import { ReadBudget } from './read-budget.js';
import { scanFile } from './scan-file.js';
import type { ScannedFile, ScanScope } from './scan-file.js';
import type { MemberInput } from './extract/extractor.js';

export { DEFAULT_MESSAGE_LIMITS } from './limits.js';
export type { MessageLimits } from './limits.js';
export { MessageReadError } from './errors.js';
export type { MessageReadErrorCode } from './errors.js';
export type { MessageAddresses } from './mime-reader.js';

export interface ReadOptions {
  /**
   * Whether the message's images and scanned PDF pages are read by OCR, asked once its headers
   * are read. Absent: never. OCR is the costly reader (about a second an image), so the caller
   * decides which mail pays for it (scan-message.ts: the school's `ocr` setting).
   */
  readonly readImages?: (addresses: MessageAddresses) => boolean;
}

/**
 * Reads one outbound message into what the detectors see: subject, bodies, and every attachment
 * with its text, archives and attached messages opened. Hostile or broken input ends in
 * `problems` and attachment facts, never in a hang.
 *
 * @throws MessageReadError only when `source` fails as a stream (`source-failed`) or the limits
 *   are unusable (`invalid-limits`).
 */
export async function readMessage(source: NodeJS.ReadableStream | Buffer, limits: Partial<MessageLimits> = {}, options: ReadOptions = {}): Promise<MessageView> {
  const budget = new ReadBudget(resolveLimits(limits));
  const files: ScannedFile[] = [];
  const { readImages } = options;
  const onHeaders = readImages && ((addresses: MessageAddresses): void => void (budget.ocrWanted = readImages(addresses)));
  const mime = await readMime(
    source,
    { maxBytes: budget.limits.maxMessageBytes, maxParts: budget.limits.maxParts, signal: budget.signal, ...(onHeaders ? { onHeaders } : {}) },
    async (attachment) => {
      files.push(await scanAttachment(attachment, budget));
    },
  );
  const texts = messageTexts(mime, budget.limits.maxBodyTextChars);
  for (const problem of mime.problems) budget.report(problem);
  if (texts.truncated) {
    budget.report({ kind: 'too-large', detail: `a body is longer than ${budget.limits.maxBodyTextChars} characters; only its start was checked` });
  }
  return {
    messageId: mime.messageId,
    subject: texts.subject,
    from: mime.from,
    to: mime.to,
    cc: mime.cc,
    bcc: mime.bcc,
    pieces: [
      { location: { part: 'subject' }, text: texts.subject },
      ...[texts.plainBody, texts.htmlBody].filter((text) => text !== '').map((text): TextPiece => ({ location: { part: 'body' }, text })),
      ...files.flatMap(filePieces),
    ],
    attachments: files.flatMap(fileViews),
    problems: budget.problems,
  };
}

/**
 * Attachments past `maxParts` are still recorded, unread, so none goes unmentioned. A fault no
 * reader foresaw costs only this attachment, recorded unscannable: one hostile part must not end
 * the scan of the message.
 */
function scanAttachment(attachment: MimeAttachment, budget: ReadBudget): Promise<ScannedFile> {
  const member = memberFromMime(attachment);
  const scope = { budget, depth: 0, signal: budget.signal, parentPath: undefined };
  if (budget.takePart()) {
    return scanFile(member, scope).catch(() => unread(member, 'the gateway failed while reading it; it may be damaged', scope));
  }
  const maxParts = budget.limits.maxParts;
  budget.report({ kind: 'too-many-parts', detail: `the message has more than ${maxParts} attachments; the rest were not read` });
  return unread(member, `not read: the message has more than ${maxParts} attachments`, scope);
}

function unread(member: MemberInput, detail: string, scope: ScanScope): Promise<ScannedFile> {
  return scanFile({ ...member, unread: { fact: { kind: 'unscannable', detail }, sizeBytes: member.bytes.length } }, scope);
}

/** The file's name, its texts, then the same for each file inside it, depth first. */
function filePieces(file: ScannedFile): TextPiece[] {
  const path = file.view.name;
  return [
    { location: { part: 'attachment-name', name: path }, text: file.name },
    ...file.texts.map((text): TextPiece => ({ location: { part: 'attachment', name: path }, text })),
    ...file.ocrTexts.map((text): TextPiece => ({ location: { part: 'attachment', name: path, ocr: true }, text })),
    ...file.members.flatMap(filePieces),
  ];
}

function fileViews(file: ScannedFile): AttachmentView[] {
  return [file.view, ...file.members.flatMap(fileViews)];
}
