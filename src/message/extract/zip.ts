import type { AttachmentFact } from '../message-view.js';
import { LimitExceededError, textExtraction } from './extractor.js';
import type { Extractor, ExtractContext } from './extractor.js';
import { isDirectory, openZip, readMember } from './zip-reader.js';
import type { Entry, OpenZip } from './zip-reader.js';

/** General purpose bit 0: the member is encrypted (PKWARE APPNOTE 4.4.4). */
function isEncrypted(entry: Entry): boolean {
  return entry.isEncrypted();
}

/** macOS adds `__MACOSX/._name` AppleDouble metadata beside each file; it holds no document text. */
const APPLE_DOUBLE_NAME = /(^|\/)__MACOSX\/(.*\/)?\._[^/]*$/;
const APPLE_DOUBLE_MAGIC = Buffer.from([0x00, 0x05, 0x16, 0x07]);

/**
 * Scans every member of a ZIP archive as a file of its own, one at a time so only one member is
 * held in memory. Encrypted members are recorded unread, and the archive is marked as
 * password-protected.
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
    if (isEncrypted(entry)) {
      encrypted += 1;
      await context.scanMember({
        name: entry.fileName,
        bytes: Buffer.alloc(0),
        declaredType: 'application/octet-stream',
        charset: undefined,
        unread: { fact: { kind: 'password-protected', detail: 'the file is encrypted inside the archive' }, sizeBytes: entry.uncompressedSize },
      });
      continue;
    }
    await scanOneMember(archive, entry, context);
  }
  return textExtraction([], encryptionFacts(encrypted, members));
};

async function scanOneMember(archive: OpenZip, entry: Entry, context: ExtractContext): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await readMember(archive, entry, context);
  } catch (error) {
    if (error instanceof LimitExceededError) {
      await context.scanMember({
        name: entry.fileName,
        bytes: Buffer.alloc(0),
        declaredType: 'application/octet-stream',
        charset: undefined,
        unread: { fact: { kind: 'unscannable', detail: `not read: ${error.message}` }, sizeBytes: entry.uncompressedSize },
      });
    }
    throw error;
  }
  if (APPLE_DOUBLE_NAME.test(entry.fileName) && bytes.subarray(0, 4).equals(APPLE_DOUBLE_MAGIC)) {
    return;
  }
  await context.scanMember({ name: entry.fileName, bytes, declaredType: 'application/octet-stream', charset: undefined });
}

function encryptionFacts(encrypted: number, members: number): AttachmentFact[] {
  if (encrypted === 0) {
    return [];
  }
  return [{ kind: 'password-protected', detail: `${encrypted} of ${members} files in the archive are encrypted` }];
}
