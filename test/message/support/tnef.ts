/**
 * A small TNEF stream (MS-OXTNEF) as Outlook writes one: no tool installable here writes TNEF, so
 * the tests build it from the specification. The reader was also tried on winmail.dat files
 * Outlook made (node-tnef's testFiles), which are not kept here: they name real people.
 */
export interface TnefContent {
  readonly body?: string;
  /** MAPI message properties: PR_BODY as Unicode. */
  readonly unicodeBody?: string;
  readonly attachments?: readonly { readonly title: string; readonly longName?: string; readonly data: Buffer }[];
  /**
   * Attached messages as Outlook writes them: attAttachData holds a notice for mail systems that
   * cannot read them, and PR_ATTACH_DATA_OBJ (PT_OBJECT: IID_IMessage, then the message as TNEF) the message.
   */
  readonly attachedMessages?: readonly { readonly title: string; readonly message: Buffer }[];
}

const EMBEDDED_NOTICE = 'This attachment is a MAPI 1.0 embedded message and is not supported by this mail system.';
const IID_IMESSAGE = Buffer.from('0703020000000000c000000000000046', 'hex');
const PT_OBJECT = 0x000d;

export function tnefOf(content: TnefContent): Buffer {
  const parts: Buffer[] = [u32(0x223e9f78), u16(0x0001)];
  if (content.body !== undefined) parts.push(attribute(1, 0x0002800c, Buffer.from(`${content.body}\0`, 'latin1')));
  if (content.unicodeBody !== undefined) parts.push(attribute(1, 0x00069003, properties([[0x001f, 0x1000, Buffer.from(`${content.unicodeBody}\0`, 'utf16le')]])));
  for (const attachment of content.attachments ?? []) {
    parts.push(attribute(2, 0x00069002, Buffer.alloc(14)));
    parts.push(attribute(2, 0x00018010, Buffer.from(`${attachment.title}\0`, 'latin1')));
    parts.push(attribute(2, 0x0006800f, attachment.data));
    if (attachment.longName) parts.push(attribute(2, 0x00069005, properties([[0x001f, 0x3707, Buffer.from(`${attachment.longName}\0`, 'utf16le')]])));
  }
  for (const attached of content.attachedMessages ?? []) {
    parts.push(attribute(2, 0x00069002, Buffer.alloc(14)));
    parts.push(attribute(2, 0x00018010, Buffer.from(`${attached.title}\0`, 'latin1')));
    parts.push(attribute(2, 0x0006800f, Buffer.from(EMBEDDED_NOTICE, 'latin1')));
    parts.push(attribute(2, 0x00069005, properties([[PT_OBJECT, 0x3701, Buffer.concat([IID_IMESSAGE, attached.message])]])));
  }
  return Buffer.concat(parts);
}

function attribute(level: number, id: number, data: Buffer): Buffer {
  const checksum = data.reduce((sum, byte) => (sum + byte) & 0xffff, 0);
  return Buffer.concat([Buffer.of(level), u32(id), u32(data.length), data, u16(checksum)]);
}

/** Variable-length properties only: type, id, one value, its size, the value padded to 4 bytes. */
function properties(list: readonly (readonly [number, number, Buffer])[]): Buffer {
  const parts = [u32(list.length)];
  for (const [type, id, value] of list) {
    parts.push(u16(type), u16(id), u32(1), u32(value.length), value, Buffer.alloc((4 - (value.length % 4)) % 4));
  }
  return Buffer.concat(parts);
}

function u16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16LE(value);
  return buffer;
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
}
