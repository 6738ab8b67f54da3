/** Record types of a PowerPoint 97-2003 document stream that hold text (MS-PPT 2.3.1, 2.9). */
const TEXT_CHARS_ATOM = 0x0fa0;
const TEXT_BYTES_ATOM = 0x0fa8;
const CSTRING = 0x0fba;
/** A record whose version nibble is 0xF is a container: its children follow its header. */
const CONTAINER_VERSION = 0x0f;
const HEADER_BYTES = 8;

/**
 * The text of a PowerPoint 97-2003 `PowerPoint Document` stream: every text atom (slides, notes,
 * masters, comments) in stream order, one per line. The record tree is walked flat: a container's
 * children start right after its header.
 */
export function powerPointText(stream: Buffer, maxChars: number): string {
  const lines: string[] = [];
  let length = 0;
  for (let offset = 0; offset + HEADER_BYTES <= stream.length && length <= maxChars; ) {
    const version = stream.readUInt16LE(offset) & 0x0f;
    const type = stream.readUInt16LE(offset + 2);
    const size = stream.readUInt32LE(offset + 4);
    const body = stream.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + size);
    const text = type === TEXT_CHARS_ATOM || type === CSTRING ? body.toString('utf16le') : type === TEXT_BYTES_ATOM ? body.toString('latin1') : undefined;
    if (text !== undefined) {
      lines.push(text.replace(/\r/g, '\n'));
      length += text.length + 1;
    }
    offset += HEADER_BYTES + (version === CONTAINER_VERSION ? 0 : size);
  }
  return lines.join('\n');
}
