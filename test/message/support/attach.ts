import type { MessageLimits } from '../../../src/message/read-message.js';
import { readMessage } from '../../../src/message/read-message.js';
import type { AttachmentView, MessageView, TextPiece } from '../../../src/message/message-view.js';
import { compose } from './compose.js';

export interface AttachmentReading {
  readonly view: MessageView;
  /** The view of the attachment itself (the first one). */
  readonly attachment: AttachmentView;
  /** Text extracted from the attachment at `path`, pieces joined by a blank line. */
  readonly textOf: (path: string) => string;
}

/** Sends one attachment through a real message and `readMessage`, as the gateway would see it. */
export async function readAttachment(
  filename: string,
  content: Buffer | string,
  options: { contentType?: string; limits?: Partial<MessageLimits> } = {},
): Promise<AttachmentReading> {
  const raw = await compose({
    subject: 'Attached',
    text: 'See attached.',
    attachments: [{ filename, content, ...(options.contentType ? { contentType: options.contentType } : {}) }],
  });
  const view = await readMessage(raw, options.limits);
  const attachment = view.attachments[0];
  if (!attachment) {
    throw new Error('the attachment was not recorded');
  }
  return { view, attachment, textOf: (path) => attachmentText(view.pieces, path) };
}

export function attachmentText(pieces: readonly TextPiece[], path: string): string {
  return pieces
    .filter((piece) => piece.location.part === 'attachment' && piece.location.name === path)
    .map((piece) => piece.text)
    .join('\n\n');
}

export function factKinds(attachment: AttachmentView): string[] {
  return attachment.facts.map((fact) => fact.kind);
}
