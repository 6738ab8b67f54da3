import { read } from 'cfb';
import type { CFB$Container, CFB$Entry } from 'cfb';
import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';
import { binaryValue, cString, messageTexts, PR_ATTACH_DATA, PR_ATTACH_FILENAME, PR_ATTACH_LONG_FILENAME, stringValue } from './mapi-properties.js';
import type { Properties, Value } from './mapi-properties.js';

/** A property stream: `__substg1.0_` then the property id and type in hex (MS-OXMSG 2.1.3). */
const PROPERTY_STREAM = /^__substg1\.0_([0-9A-F]{4})([0-9A-F]{4})$/i;
const ATTACHMENT_STORAGE = /^__attach_version1\.0_#[0-9A-F]{8}$/i;
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;

/**
 * Outlook .msg files (MS-OXMSG): the subject and bodies (plain, HTML, compressed RTF) are the
 * text, and each attached file is scanned as a member. Attached messages and OLE objects, which
 * Outlook keeps as storages rather than bytes, are recorded unread.
 */
export const extractOutlookMessage: Extractor = async (file, context) => {
  const container = read(file.bytes, { type: 'buffer' });
  const texts = messageTexts(propertiesUnder(container, 'Root Entry/'), context);
  for (const [index, path] of attachmentStorages(container).entries()) {
    context.signal.throwIfAborted();
    const properties = propertiesUnder(container, path);
    const name = stringValue(properties.get(PR_ATTACH_LONG_FILENAME)) ?? stringValue(properties.get(PR_ATTACH_FILENAME)) ?? `attachment-${index + 1}`;
    const bytes = binaryValue(properties.get(PR_ATTACH_DATA));
    const unread = bytes ? {} : { unread: { fact: { kind: 'unscannable', detail: 'an attached message or object inside an Outlook message, not opened' } as const, sizeBytes: 0 } };
    await context.scanMember({ name, bytes: bytes ?? Buffer.alloc(0), declaredType: 'application/octet-stream', charset: undefined, ...unread });
  }
  return textExtraction(texts);
};

function attachmentStorages(container: CFB$Container): string[] {
  return container.FullPaths.filter((path) => /^Root Entry\/[^/]+\/$/.test(path) && ATTACHMENT_STORAGE.test(path.slice(11, -1)));
}

/** The string and binary properties stored directly under `storage` (a path ending in `/`). */
function propertiesUnder(container: CFB$Container, storage: string): Properties {
  const properties: Properties = new Map();
  container.FullPaths.forEach((path, index) => {
    const name = path.slice(storage.length);
    const entry = container.FileIndex[index];
    const match = path.startsWith(storage) && !name.includes('/') ? PROPERTY_STREAM.exec(name) : null;
    if (!match || !entry) return;
    const value = decode(Number.parseInt(match[2] ?? '', 16), entry);
    if (value !== undefined) properties.set(Number.parseInt(match[1] ?? '', 16), value);
  });
  return properties;
}

function decode(type: number, entry: CFB$Entry): Value | undefined {
  const bytes = Buffer.from(entry.content ?? []);
  if (type === PT_UNICODE) return bytes.toString('utf16le').replace(/\0+$/, '');
  if (type === PT_STRING8) return cString(bytes);
  return type === PT_BINARY ? bytes : undefined;
}
