import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import Bunzip from 'seek-bzip';
import { textExtraction } from './extractor.js';
import type { ExtractContext, Extractor, FileInput } from './extractor.js';
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
  return scanInner(file, storedName(file.bytes) ?? innerName(file.path, /\.(gz|gzip)$/i), Buffer.concat(chunks), context);
};

/**
 * A bzip2 file: the one file inside, named after the file without `.bz2`. seek-bzip decodes
 * synchronously, so the budget is checked as each byte is written: a bzip2 bomb stops at the
 * limit before it is held.
 */
export const extractBzip2: Extractor = async (file, context) => {
  const output = new BudgetedOutput(context);
  Bunzip.decode(file.bytes, output, true);
  return scanInner(file, innerName(file.path, /\.(bz2|bzip2)$/i), output.bytes(), context);
};

async function scanInner(file: FileInput, name: string, bytes: Buffer, context: ExtractContext) {
  await context.scanMember({ name, bytes, declaredType: 'application/octet-stream', charset: undefined });
  return textExtraction([]);
}

/** How often written bytes are counted against the budget. */
const COUNT_EVERY_BYTES = 64 * 1024;

/** seek-bzip's output stream interface: one byte at a time. */
class BudgetedOutput {
  private buffer = Buffer.alloc(COUNT_EVERY_BYTES);
  private written = 0;

  constructor(private readonly context: ExtractContext) {}

  writeByte(byte: number): void {
    if (this.written === this.buffer.length) {
      const grown = Buffer.alloc(this.buffer.length * 2);
      this.buffer.copy(grown);
      this.buffer = grown;
    }
    this.buffer[this.written] = byte;
    this.written += 1;
    if (this.written % COUNT_EVERY_BYTES === 0) {
      countDecompressed(COUNT_EVERY_BYTES, this.context);
    }
  }

  bytes(): Buffer {
    countDecompressed(this.written % COUNT_EVERY_BYTES, this.context);
    return this.buffer.subarray(0, this.written);
  }
}

const FLAG_EXTRA = 0x04;
const FLAG_NAME = 0x08;
const HEADER_BYTES = 10;

/** The original file name in a gzip header, Latin-1 and NUL-terminated, without any folder. */
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

function innerName(path: string, suffix: RegExp): string {
  const base = path.split('/').pop() ?? path;
  const inner = base
    .replace(suffix, '')
    .replace(/\.tgz$/i, '.tar')
    .replace(/\.tbz2?$/i, '.tar');
  return inner === base || inner === '' ? `${base}.content` : inner;
}
