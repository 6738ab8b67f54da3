import { decompressRTF } from '@kenjiuno/decompressrtf';
import { htmlToReadableText } from '../html-to-text.js';
import type { ExtractContext } from './extractor.js';
import { rtfText } from './rtf.js';
import { decodeWindows1252 } from './text.js';
import { countDecompressed } from './zip-reader.js';

/** MAPI property ids (MS-OXPROPS), shared by TNEF (tnef.ts) and Outlook .msg files (outlook-msg.ts). */
export const PR_SUBJECT = 0x0037;
export const PR_BODY = 0x1000;
export const PR_RTF_COMPRESSED = 0x1009;
export const PR_BODY_HTML = 0x1013;
export const PR_DISPLAY_NAME = 0x3001;
export const PR_ATTACH_DATA = 0x3701;
export const PR_ATTACH_FILENAME = 0x3704;
export const PR_ATTACH_LONG_FILENAME = 0x3707;

export type Value = string | Buffer;
/** Property values by property id. */
export type Properties = Map<number, Value>;

export function stringValue(value: Value | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function binaryValue(value: Value | undefined): Buffer | undefined {
  return Buffer.isBuffer(value) ? value : undefined;
}

/** An 8-bit string up to its NUL, in the Windows code page Outlook writes in the UK. */
export function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return decodeWindows1252(end < 0 ? bytes : bytes.subarray(0, end));
}

/** Outlook fills PR_BODY too when it can; HTML and RTF bodies are read as well, since nothing makes them agree. */
export function messageTexts(properties: Properties, context: ExtractContext): string[] {
  const texts: string[] = [];
  const subject = stringValue(properties.get(PR_SUBJECT));
  const body = stringValue(properties.get(PR_BODY));
  const html = properties.get(PR_BODY_HTML);
  const rtf = binaryValue(properties.get(PR_RTF_COMPRESSED));
  for (const text of [subject, body]) if (text) texts.push(text);
  if (html) texts.push(htmlToReadableText(typeof html === 'string' ? html : html.toString('utf8')));
  if (rtf) texts.push(rtfText(decompressedRtf(rtf, context), context.limits.maxAttachmentTextChars));
  return texts;
}

/** Compressed RTF (MS-OXRTFCP 2.1.3.1): its header gives the raw size, counted before decompressing. */
function decompressedRtf(compressed: Buffer, context: ExtractContext): string {
  if (compressed.length < 16) return '';
  countDecompressed(compressed.readUInt32LE(4), context);
  return Buffer.from(decompressRTF([...compressed])).toString('latin1');
}
