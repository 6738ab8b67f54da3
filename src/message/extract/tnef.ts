import type { AttachmentFact } from '../message-view.js';
import { textExtraction } from './extractor.js';
import type { ExtractContext, Extractor } from './extractor.js';
import { binaryValue, cString, messageTexts, PR_ATTACH_DATA, PR_ATTACH_LONG_FILENAME, stringValue } from './mapi-properties.js';
import type { Properties, Value } from './mapi-properties.js';
import { HallmonitorError } from '../../errors/hallmonitor-error.js';

/** TNEF stream signature (MS-OXTNEF 2.1.3.1). */
export const TNEF_SIGNATURE = 0x223e9f78;

/** Attribute ids, type in the high word (MS-OXTNEF 2.1.3.3). */
const ATT_SUBJECT = 0x00018004;
const ATT_BODY = 0x0002800c;
const ATT_ATTACH_RENDDATA = 0x00069002;
const ATT_ATTACH_TITLE = 0x00018010;
const ATT_ATTACH_DATA = 0x0006800f;
const ATT_MSG_PROPS = 0x00069003;
const ATT_ATTACHMENT = 0x00069005;

interface TnefAttachment {
  title: string | undefined;
  longName: string | undefined;
  data: Buffer | undefined;
}

/**
 * winmail.dat (`application/ms-tnef`), what Outlook sends in place of a rich-text message: the
 * subject and body (plain, HTML, or compressed RTF) are its text, and the files inside are scanned
 * as members. An attached message is a winmail.dat of its own, read the same way within the
 * depth limit; an OLE object is opened by the compound-file reader (office-encryption.ts).
 */
export const extractTnef: Extractor = async (file, context) => {
  const reader = new ByteReader(file.bytes);
  if (reader.u32() !== TNEF_SIGNATURE) {
    throw new Error('not a TNEF stream');
  }
  reader.skip(2);
  const contents: TnefContents = { texts: [], attachments: [] };
  const complete = readAttributes(reader, contents, context);
  for (const [index, attachment] of contents.attachments.entries()) {
    const name = attachment.longName ?? attachment.title ?? `attachment-${index + 1}`;
    await context.scanMember({ name, bytes: attachment.data ?? Buffer.alloc(0), declaredType: 'application/octet-stream', charset: undefined });
  }
  return textExtraction(contents.texts, complete ? [] : [ENDS_EARLY]);
};

const ENDS_EARLY: AttachmentFact = { kind: 'unscannable', detail: 'the winmail.dat ends early; only what came before the break was read' };

interface TnefContents {
  readonly texts: string[];
  readonly attachments: TnefAttachment[];
}

/** Reads attributes into `contents` (MS-OXTNEF 2.1.3.2); false when the stream broke off, what came before kept. */
function readAttributes(reader: ByteReader, contents: TnefContents, context: ExtractContext): boolean {
  try {
    while (reader.remaining() > 0) {
      context.signal.throwIfAborted();
      reader.skip(1);
      const id = reader.u32();
      const data = reader.bytes(reader.u32());
      reader.skip(2);
      readAttribute(id, data, contents, context);
    }
    return true;
  } catch (error) {
    if (error instanceof StreamEndedError) return false;
    throw error;
  }
}

function readAttribute(id: number, data: Buffer, { texts, attachments }: TnefContents, context: ExtractContext): void {
  if (id === ATT_ATTACH_RENDDATA) {
    attachments.push({ title: undefined, longName: undefined, data: undefined });
  }
  const current = attachments.at(-1);
  if (id === ATT_SUBJECT || id === ATT_BODY) {
    texts.push(cString(data));
  } else if (id === ATT_MSG_PROPS) {
    texts.push(...messageTexts(readProperties(data), context));
  } else if (current && id === ATT_ATTACH_TITLE) {
    current.title = cString(data);
  } else if (current && id === ATT_ATTACH_DATA) {
    current.data = data;
  } else if (current && id === ATT_ATTACHMENT) {
    const properties = readProperties(data);
    current.longName = stringValue(properties.get(PR_ATTACH_LONG_FILENAME));
    const object = binaryValue(properties.get(PR_ATTACH_DATA));
    // An attached message is a TNEF stream of its own in PR_ATTACH_DATA_OBJ (MS-OXTNEF 2.1.3.4.1);
    // attAttachData then holds only Outlook's "this attachment is a MAPI 1.0 embedded message" notice.
    current.data = object && object.length >= 4 && object.readUInt32LE(0) === TNEF_SIGNATURE ? object : (current.data ?? object);
  }
}

const FIXED_SIZES = new Map([
  [0x0002, 4],
  [0x0003, 4],
  [0x0004, 4],
  [0x0005, 8],
  [0x0006, 8],
  [0x0007, 8],
  [0x000a, 4],
  [0x000b, 4],
  [0x0014, 8],
  [0x0040, 8],
  [0x0048, 16],
]);
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_OBJECT = 0x000d;
const MULTIPLE = 0x1000;

/** A MAPI property list (MS-OXTNEF 2.1.3.4); only the first value of a multi-valued one is kept. */
function readProperties(data: Buffer): Properties {
  const reader = new ByteReader(data);
  const properties: Properties = new Map();
  const count = reader.u32();
  for (let index = 0; index < count && reader.remaining() >= 4; index += 1) {
    const type = reader.u16();
    const id = reader.u16();
    if (id >= 0x8000) {
      reader.skip(16);
      const kind = reader.u32();
      reader.skip(kind === 0 ? 4 : padded(reader.u32()));
    }
    const base = type & ~MULTIPLE;
    const fixed = FIXED_SIZES.get(base);
    const values = (type & MULTIPLE) !== 0 || fixed === undefined ? reader.u32() : 1;
    for (let value = 0; value < values; value += 1) {
      const bytes = fixed === undefined ? reader.bytes(reader.u32(), true) : reader.bytes(fixed);
      if (value === 0 && !properties.has(id)) properties.set(id, decodeValue(base, bytes));
    }
  }
  return properties;
}

function decodeValue(type: number, bytes: Buffer): Value {
  if (type === PT_UNICODE) return bytes.toString('utf16le').replace(/\0+$/, '');
  if (type === PT_STRING8) return cString(bytes);
  // An attached file's object data starts with the 16-byte interface id (MS-OXTNEF 2.1.3.4.1).
  return type === PT_OBJECT ? bytes.subarray(16) : bytes;
}

const padded = (size: number): number => Math.ceil(size / 4) * 4;

/** Little-endian reads that throw past the end, so a truncated stream is a damaged file. */
class ByteReader {
  private offset = 0;

  constructor(private readonly data: Buffer) {}

  remaining(): number {
    return this.data.length - this.offset;
  }

  u16(): number {
    return this.take(2).readUInt16LE(0);
  }

  u32(): number {
    return this.take(4).readUInt32LE(0);
  }

  bytes(size: number, pad = false): Buffer {
    const bytes = this.take(size);
    if (pad) this.skip(padded(size) - size);
    return bytes;
  }

  skip(size: number): void {
    this.take(size);
  }

  private take(size: number): Buffer {
    if (size < 0 || size > this.remaining()) {
      throw new StreamEndedError();
    }
    const bytes = this.data.subarray(this.offset, this.offset + size);
    this.offset += size;
    return bytes;
  }
}

class StreamEndedError extends HallmonitorError {
  override readonly name = 'StreamEndedError';
  readonly code = 'tnef-truncated';
  readonly disposition = 'permanent';
}
