import { read, utils, write } from 'cfb';
import type { CFB$Container, CFB$Entry } from 'cfb';
import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';
import { binaryValue, cString, messageTexts, PR_ATTACH_DATA, PR_ATTACH_FILENAME, PR_ATTACH_LONG_FILENAME, PR_DISPLAY_NAME, stringValue } from './mapi-properties.js';
import type { Properties, Value } from './mapi-properties.js';

/** A property stream: `__substg1.0_` then the property id and type in hex (MS-OXMSG 2.1.3). */
const PROPERTY_STREAM = /^__substg1\.0_([0-9A-F]{4})([0-9A-F]{4})$/i;
const ATTACHMENT_STORAGE = /^__attach_version1\.0_#[0-9A-F]{8}$/i;
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;

/**
 * Outlook .msg files (MS-OXMSG): the subject and bodies (plain, HTML, compressed RTF) are the
 * text, and each attached file is scanned as a member. An attached message is kept as a storage
 * laid out as a message of its own (MS-OXMSG 2.2.2.1): it is copied into a .msg file and scanned
 * as a member, so its own attachments are read in turn, within the depth and part limits. OLE
 * objects (an embedded drawing or worksheet) are recorded unread.
 */
export const extractOutlookMessage: Extractor = async (file, context) => {
  const container = read(file.bytes, { type: 'buffer' });
  const texts = messageTexts(propertiesUnder(container, 'Root Entry/'), context);
  for (const [index, path] of attachmentStorages(container).entries()) {
    context.signal.throwIfAborted();
    const properties = propertiesUnder(container, path);
    const name = stringValue(properties.get(PR_ATTACH_LONG_FILENAME)) ?? stringValue(properties.get(PR_ATTACH_FILENAME)) ?? `attachment-${index + 1}`;
    const bytes = binaryValue(properties.get(PR_ATTACH_DATA));
    const embedded = bytes ? undefined : embeddedMessage(container, path);
    if (embedded) {
      const title = stringValue(properties.get(PR_DISPLAY_NAME)) ?? name;
      await context.scanMember({ name: /\.msg$/i.test(title) ? title : `${title}.msg`, bytes: embedded, declaredType: 'application/vnd.ms-outlook', charset: undefined });
      continue;
    }
    const unread = bytes
      ? {}
      : { unread: { fact: { kind: 'unscannable', detail: 'an object embedded in an Outlook message (not a file or a message), not opened' } as const, sizeBytes: 0 } };
    await context.scanMember({ name, bytes: bytes ?? Buffer.alloc(0), declaredType: 'application/octet-stream', charset: undefined, ...unread });
  }
  return textExtraction(texts);
};

function attachmentStorages(container: CFB$Container): string[] {
  return container.FullPaths.filter((path) => /^Root Entry\/[^/]+\/$/.test(path) && ATTACHMENT_STORAGE.test(path.slice(11, -1)));
}

/** PR_ATTACH_DATA_OBJ as a storage: an attached message (MS-OXMSG 2.2.2.1). */
const EMBEDDED_MESSAGE_STORAGE = '__substg1.0_3701000D/';
const STREAM = 2;

/** The attached message under an attachment's storage, written out as a .msg file of its own. */
function embeddedMessage(container: CFB$Container, attachment: string): Buffer | undefined {
  const root = `${attachment}${EMBEDDED_MESSAGE_STORAGE}`;
  const message = utils.cfb_new();
  let streams = 0;
  container.FullPaths.forEach((path, index) => {
    const entry = container.FileIndex[index];
    if (!path.startsWith(root) || entry?.type !== STREAM) return;
    utils.cfb_add(message, `/${path.slice(root.length)}`, entry.content);
    streams += 1;
  });
  return streams === 0 ? undefined : Buffer.from(write(message, { type: 'buffer' }) as Uint8Array);
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
