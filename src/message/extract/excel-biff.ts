/**
 * The cell text of an Excel workbook stream: Excel 97-2003 (BIFF8, MS-XLS) and the older Excel
 * 2.x-5.0/95 formats (BIFF2-BIFF5, as OpenOffice's "Microsoft Excel File Format" documents them):
 * shared strings, string, number and RK cells, sheet by sheet. Formulas, formats and charts are
 * not read. Before BIFF8, strings are 8-bit in the workbook's code page (its CODEPAGE record) and
 * carry no flags byte; the first BOF record says which layout the stream uses.
 */
import type { AttachmentFact } from '../message-view.js';
import { textExtraction } from './extractor.js';
import type { Extraction, Extractor } from './extractor.js';
import { decodeWindows1252 } from './text.js';

export interface BiffSheet {
  readonly name: string;
  readonly rows: string[][];
}

/** BOF record types: BIFF5 and BIFF8 (0x0809), BIFF4 (0x0409), BIFF3 (0x0209), BIFF2 (0x0009). */
const BOF_TYPES = new Set([0x0809, 0x0409, 0x0209, 0x0009]);
const EOF = 0x000a;
const CODEPAGE = 0x0042;
/** BIFF4 workbooks (BIFF4W) hold each sheet after one of these, which carries its name. */
const BUNDLEHEADER = 0x008f;
/** BIFF2 cells: a 3-byte cell attribute instead of an XF index. */
const LABEL_BIFF2 = 0x0004;
const NUMBER_BIFF2 = 0x0003;
const INTEGER_BIFF2 = 0x0002;
const RSTRING = 0x00d6;
const BOUNDSHEET = 0x0085;
const SST = 0x00fc;
const CONTINUE = 0x003c;
const LABELSST = 0x00fd;
const LABEL = 0x0204;
const NUMBER = 0x0203;
const RK = 0x027e;
const MULRK = 0x00bd;
const SHEET_SUBSTREAM = 0x0010;
const BIFF8_VERSION = 0x0600;

interface BiffRecord {
  readonly type: number;
  readonly data: Buffer;
}

/** How a stream's strings are stored: BIFF8's Unicode strings, or the earlier 8-bit ones in a code page. */
interface StringLayout {
  readonly unicode: boolean;
  readonly decode: (bytes: Buffer) => string;
}

/** Whether a file starts with a BIFF2-BIFF4 BOF record: Excel 2.x-4.0 saved a bare stream, not a compound file. */
export function isBareBiffStream(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, 8);
  const type = data.readUInt16LE(0);
  const size = data.readUInt16LE(2);
  const substream = data.readUInt16LE(6);
  return (type === 0x0009 || type === 0x0209 || type === 0x0409) && (size === 4 || size === 6) && BARE_SUBSTREAMS.has(substream);
}

/** Worksheet, chart, macro sheet and (BIFF4) workbook. */
const BARE_SUBSTREAMS = new Set([0x0010, 0x0020, 0x0040, 0x0100]);

/** Like .xlsx (xlsx.ts): each sheet's name, then its rows, cells separated by tabs; the first sheet with rows is the table. */
export function workbookExtraction(workbook: Buffer, maxChars: number, facts: readonly AttachmentFact[]): Extraction {
  const sheets = readBiffSheets(workbook, maxChars);
  const lines = sheets.flatMap((sheet) => [sheet.name, ...sheet.rows.map((row) => row.join('\t'))]);
  const tableRows = sheets.find((sheet) => sheet.rows.length > 0)?.rows ?? [];
  return { texts: [lines.join('\n')], tableRows, facts, truncated: false };
}

/** An Excel 2.x-4.0 file: the workbook stream on its own, with no compound file around it. */
export const extractBareWorkbook: Extractor = async (file, context) => {
  if (isEncryptedWorkbook(file.bytes)) return textExtraction([], [{ kind: 'password-protected', detail: ENCRYPTED_WORKBOOK }]);
  return workbookExtraction(file.bytes, context.limits.maxAttachmentTextChars, []);
};

export const ENCRYPTED_WORKBOOK = 'the Excel workbook is encrypted with a password';
const FILEPASS = 0x002f;

/** A FILEPASS record in the workbook globals, before their EOF record, means encryption (MS-XLS 2.4.117). */
export function isEncryptedWorkbook(workbook: Buffer): boolean {
  for (const record of readRecords(workbook)) {
    if (record.type === FILEPASS) return true;
    if (record.type === EOF) return false;
  }
  return false;
}

export function readBiffSheets(workbook: Buffer, maxChars: number): BiffSheet[] {
  const records = readRecords(workbook);
  let layout = layoutOf(records[0]);
  const names: string[] = [];
  let strings: string[] = [];
  const sheets: BiffSheet[] = [];
  let sheet: BiffSheet | undefined;
  let chars = 0;
  for (const [index, record] of records.entries()) {
    if (chars > maxChars) break;
    if (record.type === CODEPAGE && record.data.length >= 2 && !layout.unicode) {
      layout = { unicode: false, decode: codePageDecoder(record.data.readUInt16LE(0)) };
    } else if (record.type === BOUNDSHEET && record.data.length >= 8) {
      names.push(shortString(record.data.subarray(6), layout));
    } else if (record.type === BUNDLEHEADER && record.data.length >= 5) {
      names.push(shortString(record.data.subarray(4), layout));
    } else if (record.type === SST) {
      strings = sharedStrings(record, records.slice(index + 1));
    } else if (isSheetStart(record)) {
      sheet = { name: names[sheets.length] ?? `Sheet${sheets.length + 1}`, rows: [] };
      sheets.push(sheet);
    } else if (record.type === EOF) {
      sheet = undefined;
    } else if (sheet) {
      for (const [row, column, text] of cells(record, strings, layout)) {
        (sheet.rows[row] ??= [])[column] = text;
        chars += text.length + 1;
      }
    }
  }
  return sheets.map((each) => ({ name: each.name, rows: each.rows.filter((row) => row !== undefined).map((row) => Array.from(row, (cell) => cell ?? '')) }));
}

/** BIFF8 when the first BOF says version 0x0600 (MS-XLS 2.4.21); otherwise 8-bit strings, Windows-1252 until a CODEPAGE record says otherwise. */
function layoutOf(first: BiffRecord | undefined): StringLayout {
  const biff8 = first?.type === 0x0809 && first.data.length >= 2 && first.data.readUInt16LE(0) === BIFF8_VERSION;
  return biff8 ? { unicode: true, decode: (bytes) => bytes.toString('utf16le') } : { unicode: false, decode: codePageDecoder(WINDOWS_LATIN_1) };
}

/** A BOF record opening a worksheet: every BIFF version puts the substream type after a 2-byte version. */
function isSheetStart(record: BiffRecord): boolean {
  return BOF_TYPES.has(record.type) && record.data.length >= 4 && record.data.readUInt16LE(2) === SHEET_SUBSTREAM;
}

const WINDOWS_LATIN_1 = 1252;

/**
 * A decoder for a Windows code page number (the CODEPAGE record, MS-XLS 2.4.52): the code pages
 * the WHATWG Encoding Standard names; anything else (old DOS and Mac code pages) falls back to
 * Windows-1252, which keeps ASCII text readable (text.ts decodes it: Node 20's TextDecoder reads it as Latin-1).
 */
function codePageDecoder(codePage: number): (bytes: Buffer) => string {
  const label = CODE_PAGE_LABELS.get(codePage) ?? (codePage >= 1250 && codePage <= 1258 ? `windows-${codePage}` : 'windows-1252');
  return (label !== 'windows-1252' && decoderFor(label)) || decodeWindows1252;
}

/** Node built without full ICU knows fewer encodings. */
function decoderFor(label: string): ((bytes: Buffer) => string) | undefined {
  try {
    const decoder = new TextDecoder(label);
    return (bytes) => decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

const CODE_PAGE_LABELS = new Map([
  [874, 'windows-874'],
  [932, 'shift_jis'],
  [936, 'gbk'],
  [949, 'euc-kr'],
  [950, 'big5'],
  [10000, 'macintosh'],
  [32768, 'macintosh'],
]);

function readRecords(stream: Buffer): BiffRecord[] {
  const records: BiffRecord[] = [];
  for (let offset = 0; offset + 4 <= stream.length; ) {
    const type = stream.readUInt16LE(offset);
    const size = stream.readUInt16LE(offset + 2);
    records.push({ type, data: stream.subarray(offset + 4, offset + 4 + size) });
    offset += 4 + size;
  }
  return records;
}

/** Cells of one record as [row, column, text]; rows and columns are limited by the format itself (65,536 by 256). */
function cells(record: BiffRecord, strings: readonly string[], layout: StringLayout): [number, number, string][] {
  const { type, data } = record;
  if (data.length < 6) return [];
  const row = data.readUInt16LE(0);
  const column = data.readUInt16LE(2);
  if (type === LABELSST && data.length >= 10) return [[row, column, strings[data.readUInt32LE(6)] ?? '']];
  if ((type === LABEL || type === RSTRING) && data.length >= 8) return [[row, column, unicodeString(data.subarray(6), layout)]];
  if (type === LABEL_BIFF2 && data.length >= 8) return [[row, column, layout.decode(data.subarray(8, 8 + (data[7] ?? 0)))]];
  if (type === NUMBER_BIFF2 && data.length >= 15) return [[row, column, numberText(data.readDoubleLE(7))]];
  if (type === INTEGER_BIFF2 && data.length >= 9) return [[row, column, String(data.readUInt16LE(7))]];
  if (type === NUMBER && data.length >= 14) return [[row, column, numberText(data.readDoubleLE(6))]];
  if (type === RK && data.length >= 10) return [[row, column, numberText(rkValue(data.readUInt32LE(6)))]];
  if (type === MULRK) {
    const found: [number, number, string][] = [];
    for (let offset = 4, at = column; offset + 6 <= data.length - 2; offset += 6, at += 1) {
      found.push([row, at, numberText(rkValue(data.readUInt32LE(offset + 2)))]);
    }
    return found;
  }
  return [];
}

/** An RK number (MS-XLS 2.5.217): a shortened double or a 30-bit integer, optionally divided by 100. */
function rkValue(rk: number): number {
  const value = rk & 0x02 ? rk >> 2 : new DataView(Uint32Array.of(0, rk & 0xfffffffc).buffer).getFloat64(0, true);
  return rk & 0x01 ? value / 100 : value;
}

function numberText(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1e10) / 1e10);
}

/** ShortXLUnicodeString: 8-bit count, flags, characters (MS-XLS 2.5.240); before BIFF8, no flags. */
function shortString(data: Buffer, layout: StringLayout): string {
  const count = data[0] ?? 0;
  if (!layout.unicode) return layout.decode(data.subarray(1, 1 + count));
  return (data[1] ?? 0) & 0x01 ? data.toString('utf16le', 2, 2 + count * 2) : data.toString('latin1', 2, 2 + count);
}

/** XLUnicodeString: 16-bit count, flags, characters (MS-XLS 2.5.294); before BIFF8, no flags. */
function unicodeString(data: Buffer, layout: StringLayout): string {
  const count = data.readUInt16LE(0);
  if (!layout.unicode) return layout.decode(data.subarray(2, 2 + count));
  return (data[2] ?? 0) & 0x01 ? data.toString('utf16le', 3, 3 + count * 2) : data.toString('latin1', 3, 3 + count);
}

/** The shared string table: the SST record and the CONTINUE records after it (MS-XLS 2.4.265). */
function sharedStrings(sst: BiffRecord, following: readonly BiffRecord[]): string[] {
  const segments = [sst.data];
  for (const record of following) {
    if (record.type !== CONTINUE) break;
    segments.push(record.data);
  }
  const reader = new SegmentReader(segments);
  reader.skip(4);
  const unique = reader.u32();
  const strings: string[] = [];
  while (strings.length < unique && !reader.done()) {
    const count = reader.u16();
    const flags = reader.u8();
    const runs = flags & 0x08 ? reader.u16() : 0;
    const extended = flags & 0x04 ? reader.u32() : 0;
    strings.push(reader.characters(count, (flags & 0x01) !== 0));
    reader.skip(runs * 4 + extended);
  }
  return strings;
}

/** Reads across CONTINUE records; characters split across one restate their width in a flags byte. */
class SegmentReader {
  private segment = 0;
  private offset = 0;

  constructor(private readonly segments: readonly Buffer[]) {}

  done(): boolean {
    return this.segment >= this.segments.length;
  }

  u8(): number {
    return this.take(1)[0] ?? 0;
  }

  u16(): number {
    return this.take(2).readUInt16LE(0);
  }

  u32(): number {
    return this.take(4).readUInt32LE(0);
  }

  skip(size: number): void {
    this.take(size);
  }

  characters(count: number, wide: boolean): string {
    let text = '';
    let left = count;
    let isWide = wide;
    while (left > 0 && !this.done()) {
      if (this.offset >= this.current().length) {
        this.next();
        if (this.done()) break;
        isWide = (this.u8() & 0x01) !== 0;
      }
      const available = Math.floor((this.current().length - this.offset) / (isWide ? 2 : 1));
      const taken = Math.min(left, available);
      const bytes = this.take(taken * (isWide ? 2 : 1));
      text += bytes.toString(isWide ? 'utf16le' : 'latin1');
      left -= taken;
      if (taken === 0) this.next();
    }
    return text;
  }

  private current(): Buffer {
    return this.segments[this.segment] ?? Buffer.alloc(0);
  }

  private next(): void {
    this.segment += 1;
    this.offset = 0;
  }

  /** Bytes from the current position, moving into the next segments as needed. */
  private take(size: number): Buffer {
    const parts: Buffer[] = [];
    let left = size;
    while (left > 0 && !this.done()) {
      const current = this.current();
      const part = current.subarray(this.offset, this.offset + left);
      parts.push(part);
      this.offset += part.length;
      left -= part.length;
      if (this.offset >= current.length && left > 0) this.next();
    }
    if (left > 0) throw new Error('the shared string table ends early');
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }
}
