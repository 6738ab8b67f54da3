import type { CFB$Container } from 'cfb';

/**
 * Publisher .pub text: the story text lives in the `Quill/QuillSub/CONTENTS` stream, a "CHNKINK "
 * header followed by up to 20 chunk descriptors of 24 bytes from offset 0x20 (a marker 0x18 0x00,
 * a four-letter kind, three options, a four-letter type, then the data's offset and length);
 * chunks of type `TEXT` are UTF-16LE, paragraphs ended by CR. This is the layout Apache POI's HPBF
 * reads; Microsoft publishes no specification, so only those chunks are read, and a stream that
 * does not have this shape yields undefined (the file is then unscannable, not guessed at).
 */
export function publisherText(container: CFB$Container, maxChars: number): string | undefined {
  const index = container.FullPaths.findIndex((path) => /\/Quill\/QuillSub\/CONTENTS$/.test(path));
  const entry = index >= 0 ? container.FileIndex[index] : undefined;
  if (!entry?.content) return undefined;
  const contents = Buffer.from(entry.content);
  if (contents.subarray(0, 8).toString('latin1') !== 'CHNKINK ') return undefined;
  const texts: string[] = [];
  for (let chunk = 0; chunk < MAX_CHUNKS; chunk += 1) {
    const offset = FIRST_CHUNK + chunk * CHUNK_BYTES;
    if (offset + CHUNK_BYTES > contents.length) break;
    if (contents[offset] !== 0x18 || contents[offset + 1] !== 0x00) continue;
    if (contents.subarray(offset + 12, offset + 16).toString('latin1') !== 'TEXT') continue;
    const from = contents.readUInt32LE(offset + 16);
    const length = contents.readUInt32LE(offset + 20);
    if (from + length > contents.length) return undefined;
    texts.push(
      contents
        .subarray(from, from + length)
        .toString('utf16le')
        .replace(/\r/g, '\n'),
    );
  }
  return texts.join('\n').slice(0, maxChars);
}

const FIRST_CHUNK = 0x20;
const CHUNK_BYTES = 24;
const MAX_CHUNKS = 20;
