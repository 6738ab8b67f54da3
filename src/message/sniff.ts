import { fileTypeFromBuffer } from 'file-type';
import type { AttachmentFact } from './message-view.js';

const UNICODE_BYTE_ORDER_MARKS = [Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff])];

/** The MIME type the content's magic bytes say it is, or undefined when they say nothing. */
export async function sniffType(bytes: Uint8Array): Promise<string | undefined> {
  // A byte order mark means Unicode text; file-type would read UTF-16's FF FE as an MP3 frame.
  if (UNICODE_BYTE_ORDER_MARKS.some((mark) => mark.equals(bytes.subarray(0, mark.length)))) {
    return 'text/plain';
  }
  return (await fileTypeFromBuffer(bytes))?.mime;
}

/** Lower-case extension of the last path segment, without the dot; '' when there is none. */
export function extensionOf(name: string): string {
  // Windows ignores trailing dots and spaces, so `run.exe.` still runs as `run.exe`.
  const base = (name.split('/').pop() ?? '').replace(/[. ]+$/, '');
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** Program formats recognised by their content or their declared type. */
const PROGRAM_TYPES = new Map<string, string>([
  ['application/x-msdownload', 'a Windows program'],
  ['application/x-msdos-program', 'a Windows program'],
  ['application/vnd.microsoft.portable-executable', 'a Windows program'],
  ['application/x-elf', 'a Linux program'],
  ['application/x-mach-binary', 'a macOS program'],
  ['application/java-archive', 'a Java program'],
  ['application/java-vm', 'a Java program'],
  ['application/x.ms.shortcut', 'a Windows shortcut'],
  ['application/x-ms-regedit', 'a Windows registry change'],
  ['application/x-sh', 'a shell script'],
]);

/** Extensions Windows runs or installs on a double click (ACE AUP: "harmful programmes"). */
const PROGRAM_EXTENSIONS = new Set([
  'exe',
  'scr',
  'bat',
  'cmd',
  'com',
  'pif',
  'cpl',
  'dll',
  'msi',
  'jar',
  'lnk',
  'reg',
  'ps1',
  'vbs',
  'vbe',
  'js',
  'jse',
  'wsf',
  'wsh',
  'hta',
  'sh',
]);

const SHEBANG = Buffer.from('#!');

/** Whether the file is a program or script, by content first, then declared type, then name. */
export function programFacts(name: string, bytes: Uint8Array, declaredType: string, sniffedType: string | undefined): AttachmentFact[] {
  const byType = PROGRAM_TYPES.get(sniffedType ?? '') ?? PROGRAM_TYPES.get(declaredType);
  if (byType) {
    return [{ kind: 'executable', detail: byType }];
  }
  if (Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 2)).equals(SHEBANG)) {
    return [{ kind: 'executable', detail: 'a script (it starts with #!)' }];
  }
  const extension = extensionOf(name);
  if (PROGRAM_EXTENSIONS.has(extension)) {
    return [{ kind: 'executable', detail: `a program or script (.${extension} file)` }];
  }
  return [];
}
