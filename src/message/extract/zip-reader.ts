import { inflateRawSync } from 'node:zlib';
import { fromBufferPromise } from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { bytesInWords } from '../limits.js';
import { LimitExceededError } from './extractor.js';
import type { ExtractContext } from './extractor.js';

export type { Entry, ZipFile };

/** An archive being read, and the bytes it was read from. */
export interface OpenZip {
  readonly zip: ZipFile;
  readonly bytes: Buffer;
}

/** Decoded names, sizes checked against the central directory, one entry at a time (yauzl `lazyEntries`). */
const ZIP_OPTIONS = { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: false, autoClose: true };

export async function openZip(bytes: Buffer): Promise<OpenZip> {
  const zip = await fromBufferPromise(bytes, ZIP_OPTIONS);
  // An error raised after iteration stopped has no reader left to tell; without a listener it would end the process.
  zip.on('error', () => undefined);
  return { zip, bytes };
}

export function isDirectory(entry: Entry): boolean {
  return entry.fileName.endsWith('/');
}

export type Budgeted = Pick<ExtractContext, 'signal' | 'budget'>;

/**
 * Members up to this size are inflated in one synchronous call: ten times faster than a stream for
 * the many small parts of an Office file, and too small to hold up the process.
 */
const INFLATE_AT_ONCE_BYTES = 1024 * 1024;
const STORED = 0;
const DEFLATED = 8;

/**
 * Decompresses one member, counting its bytes against the message's budget, so a zip bomb stops
 * at the limit however small it is or whatever sizes its headers claim. `keep: false` counts and
 * checks the bytes without holding a large member.
 */
export async function readMember(archive: OpenZip, entry: Entry, context: Budgeted, keep = true): Promise<Buffer> {
  const small = entry.uncompressedSize <= INFLATE_AT_ONCE_BYTES;
  const atOnce = small && (entry.compressionMethod === STORED || entry.compressionMethod === DEFLATED);
  return atOnce ? inflateAtOnce(archive, entry, context) : inflateStreaming(archive.zip, entry, context, keep);
}

async function inflateAtOnce({ zip, bytes }: OpenZip, entry: Entry, context: Budgeted): Promise<Buffer> {
  const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
  const raw = bytes.subarray(fileDataStart, fileDataStart + entry.compressedSize);
  // One byte more than the directory declares is enough to catch a member that lies about its size.
  const content = entry.compressionMethod === STORED ? raw : inflateRawSync(raw, { maxOutputLength: entry.uncompressedSize + 1 });
  if (content.length !== entry.uncompressedSize) {
    throw new Error('a member is not the size the archive directory declares');
  }
  countDecompressed(content.length, context);
  return content;
}

async function inflateStreaming(zip: ZipFile, entry: Entry, context: Budgeted, keep: boolean): Promise<Buffer> {
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    context.signal.throwIfAborted();
    countDecompressed(chunk.length, context);
    if (keep) {
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks);
}

/** Counts decompressed bytes against the message's budget; throws past `maxDecompressedBytes`. */
export function countDecompressed(bytes: number, { budget }: Budgeted): void {
  if (!budget.takeDecompressed(bytes)) {
    throw new LimitExceededError('decompressed-bytes', `it decompresses to more than ${bytesInWords(budget.limits.maxDecompressedBytes)} (a possible zip bomb)`);
  }
}
