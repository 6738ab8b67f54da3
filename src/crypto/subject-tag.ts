import libmime from 'libmime';
import { encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';
import { ENCRYPT_TAG } from '../detect/encrypt-request.js';
import { fieldValue, type HeaderField } from '../message/header-fields.js';

/** The subject as the recipient should see it: the request to encrypt is for the gateway, not for them. */
export function removeEncryptionTag(subject: string): string {
  return subject
    .replace(ENCRYPT_TAG, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/**
 * The header fields with any tag removed from `Subject:`; a changed subject is written again as
 * RFC 2047 encoded words, so the header stays 7-bit whatever the subject's language.
 */
export function withoutEncryptionTag(fields: readonly HeaderField[]): HeaderField[] {
  return fields.map((field) => {
    if (field.name.toLowerCase() !== 'subject') return field;
    // Header bytes were read as latin1; an 8-bit (SMTPUTF8) subject is UTF-8 underneath.
    const subject = libmime.decodeWords(Buffer.from(fieldValue(field), 'latin1').toString('utf8'));
    const cleaned = removeEncryptionTag(subject);
    if (cleaned === subject.trim()) return field;
    return { name: 'Subject', text: foldLines(`Subject: ${encodeWords(cleaned, 'Q', 52)}`, 76, true).replace(/\r?\n$/, '') };
  });
}
