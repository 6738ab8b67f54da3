import type { TextLocation } from '../message/message-view.js';

/** Where a piece of text is, in words for an explanation: "in the subject", "in the attachment "a.pdf"". */
export function describeLocation(location: TextLocation): string {
  switch (location.part) {
    case 'subject':
      return 'in the subject';
    case 'body':
      return 'in the body';
    case 'attachment':
      return `in the attachment "${location.name}"${location.ocr ? ' (its text read by OCR)' : ''}`;
    case 'attachment-name':
      return `in the name of the attachment "${location.name}"`;
  }
}
