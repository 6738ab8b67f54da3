import type { MemberInput } from './extract/extractor.js';
import type { MimeAttachment } from './mime-reader.js';

/** A MIME attachment as a file to scan; one the message broke off inside is recorded unread. */
export function memberFromMime(attachment: MimeAttachment): MemberInput {
  const member = {
    name: attachment.filename ?? unnamed(attachment),
    bytes: attachment.bytes,
    declaredType: attachment.contentType,
    charset: attachment.charset,
  };
  if (attachment.complete) {
    return member;
  }
  const fact = { kind: 'unscannable', detail: 'the message broke off inside this attachment' } as const;
  return { ...member, unread: { fact, sizeBytes: attachment.bytes.length } };
}

/** A name for an attachment the sender did not name, from its MIME part number. */
function unnamed(attachment: MimeAttachment): string {
  const part = (attachment.partId ?? '1').replaceAll('.', '-');
  return attachment.contentType === 'message/rfc822' ? `message-${part}.eml` : `attachment-${part}`;
}
