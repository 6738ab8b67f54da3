import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';
import { countDecompressed } from './zip-reader.js';

/**
 * A gzip file (RFC 1952): the one file inside, scanned as a member under the name the header
 * gives (FNAME), else the file's own name without `.gz`. It decompresses as a stream against the
 * message's decompressed-bytes budget, as a ZIP member does, so a gzip bomb stops at the limit.
 */
export const extractGzip: Extractor = async (file, context) => {
  const chunks: Buffer[] = [];
  for await (const chunk of Readable.from([file.bytes]).pipe(createGunzip()) as AsyncIterable<Buffer>) {
    context.signal.throwIfAborted();
    countDecompressed(chunk.length, context);
    chunks.push(chunk);
  }
  const name = storedName(file.bytes) ?? innerName(file.path);
  await context.scanMember({ name, bytes: Buffer.concat(chunks), declaredType: 'application/octet-stream', charset: undefined });
  return textExtraction([]);
};

const FLAG_EXTRA = 0x04;
const FLAG_NAME = 0x08;
const HEADER_BYTES = 10;

/** The original file name in the header, Latin-1 and NUL-terminated, without any folder. */
function storedName(bytes: Buffer): string | undefined {
  const flags = bytes[3] ?? 0;
  if ((flags & FLAG_NAME) === 0) {
    return undefined;
  }
  const start = flags & FLAG_EXTRA ? HEADER_BYTES + 2 + bytes.readUInt16LE(HEADER_BYTES) : HEADER_BYTES;
  const end = bytes.indexOf(0, start);
  const name = end < 0 ? '' : bytes.subarray(start, end).toString('latin1').split(/[\\/]/).pop();
  return name ? name : undefined;
}

function innerName(path: string): string {
  const base = path.split('/').pop() ?? path;
  const inner = base.replace(/\.(gz|gzip)$/i, '').replace(/\.tgz$/i, '.tar');
  return inner === base || inner === '' ? `${base}.content` : inner;
}
