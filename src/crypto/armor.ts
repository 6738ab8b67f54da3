const LINE_BYTES = 48;
const CHUNK_BYTES = LINE_BYTES * 1024;

/**
 * ASCII armor (RFC 9580 §6.2) for an OpenPGP message, as bytes with CRLF line ends, ready for mail.
 * Done here rather than by openpgp's `format: 'armored'` to keep one copy of a large message: Node's
 * base64 works on the buffer chunk by chunk. With the CRC24 line RFC 9580 §6.1 makes optional: GnuPG 2.2
 * reads past the end line of armor that has neither checksum nor padding. Base64 of 48-byte lines has
 * no padding, so "=" occurs only on the last two lines.
 */
export function armorMessage(binary: Uint8Array): Buffer {
  const bytes = Buffer.from(binary.buffer, binary.byteOffset, binary.byteLength);
  const pieces: Buffer[] = [Buffer.from('-----BEGIN PGP MESSAGE-----\r\n\r\n')];
  for (let start = 0; start < bytes.length; start += CHUNK_BYTES) {
    const chunk = bytes.subarray(start, Math.min(start + CHUNK_BYTES, bytes.length));
    const lines: string[] = [];
    for (let line = 0; line < chunk.length; line += LINE_BYTES) lines.push(chunk.subarray(line, line + LINE_BYTES).toString('base64'));
    pieces.push(Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1'));
  }
  pieces.push(Buffer.from(`=${crc24(bytes).toString('base64')}\r\n-----END PGP MESSAGE-----\r\n`));
  return Buffer.concat(pieces);
}

const CRC24_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    let crc = byte << 16;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x800000 ? (crc << 1) ^ 0x864cfb : crc << 1;
    table[byte] = crc & 0xffffff;
  }
  return table;
})();

/** RFC 4880 §6.1 CRC-24, as three big-endian bytes. */
function crc24(bytes: Buffer): Buffer {
  let crc = 0xb704ce;
  for (const byte of bytes) crc = ((crc << 8) & 0xffffff) ^ CRC24_TABLE[((crc >>> 16) ^ byte) & 0xff]!;
  return Buffer.from([crc >>> 16, (crc >>> 8) & 0xff, crc & 0xff]);
}
