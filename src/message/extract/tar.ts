import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';

/**
 * A tar archive (POSIX.1-2001 ustar and pax, GNU and the old v7 layout): every regular file is
 * scanned as a member, one at a time. Tar stores files whole, so a member's bytes are a slice of
 * the archive and no decompression budget is spent (a .tar.gz spends it in the gzip reader); the
 * message's part limit and depth limit apply through `scanMember` as for ZIP members.
 */
export const extractTar: Extractor = async (file, context) => {
  const bytes = file.bytes;
  let longName: string | undefined;
  let offset = 0;
  let headers = 0;
  while (offset + BLOCK <= bytes.length) {
    context.signal.throwIfAborted();
    const header = bytes.subarray(offset, offset + BLOCK);
    if (isZeroBlock(header)) break;
    if (!checksumMatches(header)) {
      if (headers === 0) throw new Error('this is not a tar archive (its first header does not check)');
      throw new Error('the tar archive is damaged after its first files');
    }
    headers += 1;
    const size = numberField(header, 124, 12);
    const start = offset + BLOCK;
    const content = bytes.subarray(start, Math.min(start + size, bytes.length));
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    const type = String.fromCharCode(header[156] ?? 0);
    if (type === 'L') {
      longName = cString(content);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(content) ?? longName;
      continue;
    }
    const name = longName ?? headerName(header);
    longName = undefined;
    if (!REGULAR_FILE_TYPES.has(type) || name.endsWith('/')) continue;
    if (content.length < size) throw new Error(`the tar archive ends inside ${name}`);
    await context.scanMember({ name, bytes: content, declaredType: 'application/octet-stream', charset: undefined });
  }
  if (headers === 0) throw new Error('this is not a tar archive (it has no file headers)');
  return textExtraction([]);
};

const BLOCK = 512;

/** '0' and NUL are regular files (NUL in v7 archives), '7' a contiguous file; links, folders, devices hold no bytes of their own. */
const REGULAR_FILE_TYPES = new Set(['0', '\0', '7']);

function isZeroBlock(block: Buffer): boolean {
  return block.every((byte) => byte === 0);
}

/** The header's sum with its own checksum field counted as spaces (POSIX pax, "ustar Interchange Format"). */
function checksumMatches(header: Buffer): boolean {
  const stored = numberField(header, 148, 8);
  let sum = 0;
  for (let index = 0; index < BLOCK; index += 1) sum += index >= 148 && index < 156 ? 0x20 : header[index]!;
  return stored === sum;
}

/** An octal field, or GNU's base-256 for sizes of 8 GB and more (first byte's high bit set). */
function numberField(header: Buffer, start: number, length: number): number {
  const field = header.subarray(start, start + length);
  if ((field[0]! & 0x80) !== 0) {
    let value = field[0]! & 0x7f;
    for (let index = 1; index < field.length; index += 1) value = value * 256 + field[index]!;
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

/** ustar splits a long path into a prefix (345–500) and a name (0–100). */
function headerName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const isUstar = header.subarray(257, 262).toString('latin1') === 'ustar';
  const prefix = isUstar ? cString(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** A pax extended header's `path` record: lines of "LENGTH key=value\n". */
function paxPath(content: Buffer): string | undefined {
  for (const line of content.toString('utf8').split('\n')) {
    const match = /^\d+ path=(.*)$/s.exec(line);
    if (match) return match[1];
  }
  return undefined;
}
