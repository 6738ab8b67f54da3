import type { AttachmentFact } from '../message-view.js';
import { LimitExceededError, textExtraction } from './extractor.js';
import type { Extractor, ExtractContext, MemberInput } from './extractor.js';
import { isDirectory, openZip, readMember } from './zip-reader.js';
import type { Entry, OpenZip } from './zip-reader.js';

const ENCRYPTED_MEMBER: AttachmentFact = { kind: 'password-protected', detail: 'the file is encrypted inside the archive' };

/** macOS adds `__MACOSX/._name` AppleDouble metadata beside each file; it holds no document text. */
const APPLE_DOUBLE_NAME = /(^|\/)__MACOSX\/(.*\/)?\._[^/]*$/;
const APPLE_DOUBLE_MAGIC = Buffer.from([0x00, 0x05, 0x16, 0x07]);

/**
 * Scans every member of a ZIP archive as a file of its own, one at a time so only one member is
 * held in memory. Encrypted members (general purpose bit 0, APPNOTE 4.4.4) are recorded unread,
 * and the archive is then password-protected too.
 */
export const extractZip: Extractor = async (file, context) => {
  const archive = await openZip(file.bytes);
  let members = 0;
  let encrypted = 0;
  for await (const entry of archive.zip.eachEntry()) {
    context.signal.throwIfAborted();
    if (isDirectory(entry)) {
      continue;
    }
    members += 1;
    if (entry.isEncrypted()) {
      encrypted += 1;
      await context.scanMember(unreadMember(entry, ENCRYPTED_MEMBER));
    } else {
      await scanOneMember(archive, entry, context);
    }
  }
  const facts: AttachmentFact[] = encrypted > 0 ? [{ kind: 'password-protected', detail: `${encrypted} of ${members} files in the archive are encrypted` }] : [];
  return textExtraction([], facts);
};

/** A member stopped by a limit is still recorded, then the limit ends the archive. */
async function scanOneMember(archive: OpenZip, entry: Entry, context: ExtractContext): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await readMember(archive, entry, context);
  } catch (error) {
    if (error instanceof LimitExceededError) {
      await context.scanMember(unreadMember(entry, { kind: 'unscannable', detail: `not read: ${error.message}` }));
    }
    throw error;
  }
  if (APPLE_DOUBLE_NAME.test(entry.fileName) && bytes.subarray(0, 4).equals(APPLE_DOUBLE_MAGIC)) {
    return;
  }
  await context.scanMember({ name: entry.fileName, bytes, declaredType: 'application/octet-stream', charset: undefined });
}

function unreadMember(entry: Entry, fact: AttachmentFact): MemberInput {
  return {
    name: entry.fileName,
    bytes: Buffer.alloc(0),
    declaredType: 'application/octet-stream',
    charset: undefined,
    unread: { fact, sizeBytes: entry.uncompressedSize },
  };
}
