/**
 * The cell text of an Excel 97-2003 workbook stream (BIFF8, MS-XLS): shared strings, string,
 * number and RK cells, sheet by sheet. Formulas, formats and charts are not read.
 */
export interface BiffSheet {
  readonly name: string;
  readonly rows: string[][];
}

const BOF = 0x0809;
const EOF = 0x000a;
const BOUNDSHEET = 0x0085;
const SST = 0x00fc;
const CONTINUE = 0x003c;
const LABELSST = 0x00fd;
const LABEL = 0x0204;
const NUMBER = 0x0203;
const RK = 0x027e;
const MULRK = 0x00bd;
const SHEET_SUBSTREAM = 0x0010;

interface BiffRecord {
  readonly type: number;
  readonly data: Buffer;
}

export function readBiffSheets(workbook: Buffer, maxChars: number): BiffSheet[] {
  const records = readRecords(workbook);
  const names: string[] = [];
  let strings: string[] = [];
  const sheets: BiffSheet[] = [];
  let sheet: BiffSheet | undefined;
  let chars = 0;
  for (const [index, record] of records.entries()) {
    if (chars > maxChars) break;
    if (record.type === BOUNDSHEET && record.data.length >= 8) {
      names.push(shortString(record.data.subarray(6)));
    } else if (record.type === SST) {
      strings = sharedStrings(record, records.slice(index + 1));
    } else if (record.type === BOF && record.data.length >= 4 && record.data.readUInt16LE(2) === SHEET_SUBSTREAM) {
      sheet = { name: names[sheets.length] ?? `Sheet${sheets.length + 1}`, rows: [] };
      sheets.push(sheet);
    } else if (record.type === EOF) {
      sheet = undefined;
    } else if (sheet) {
      for (const [row, column, text] of cells(record, strings)) {
        (sheet.rows[row] ??= [])[column] = text;
        chars += text.length + 1;
      }
    }
  }
  return sheets.map((each) => ({ name: each.name, rows: each.rows.filter((row) => row !== undefined).map((row) => Array.from(row, (cell) => cell ?? '')) }));
}

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

/** Cells of one record as [row, column, text]; rows and columns are limited by BIFF8 itself (65,536 by 256). */
function cells(record: BiffRecord, strings: readonly string[]): [number, number, string][] {
  const { type, data } = record;
  if (data.length < 6) return [];
  const row = data.readUInt16LE(0);
  const column = data.readUInt16LE(2);
  if (type === LABELSST && data.length >= 10) return [[row, column, strings[data.readUInt32LE(6)] ?? '']];
  if (type === LABEL && data.length >= 9) return [[row, column, unicodeString(data.subarray(6))]];
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

/** ShortXLUnicodeString: 8-bit count, flags, characters (MS-XLS 2.5.240). */
function shortString(data: Buffer): string {
  const count = data[0] ?? 0;
  return (data[1] ?? 0) & 0x01 ? data.toString('utf16le', 2, 2 + count * 2) : data.toString('latin1', 2, 2 + count);
}

/** XLUnicodeString: 16-bit count, flags, characters (MS-XLS 2.5.294). */
function unicodeString(data: Buffer): string {
  const count = data.readUInt16LE(0);
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
