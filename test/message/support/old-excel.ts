/**
 * Excel workbook streams from before Excel 97, built from OpenOffice's "Microsoft Excel File
 * Format" (no tool installable here writes them): BIFF5 (Excel 5.0/95, the `Book` stream of a
 * compound file) and BIFF4 (Excel 4.0, a bare stream saved as the whole file).
 */
export function biffRecord(type: number, data: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16LE(type, 0);
  header.writeUInt16LE(data.length, 2);
  return Buffer.concat([header, data]);
}

export type OldCell = string | number;

/** BOF: version, substream type (0x0005 globals, 0x0010 worksheet), then build fields. */
function bof(type: number, version: number, substream: number, size: number): Buffer {
  const data = Buffer.alloc(size);
  data.writeUInt16LE(version, 0);
  data.writeUInt16LE(substream, 2);
  return biffRecord(type, data);
}

/** LABEL before BIFF8: row, column, XF index, then a 16-bit count and 8-bit characters (no flags byte). */
function label(row: number, column: number, text: string): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(row, 0);
  head.writeUInt16LE(column, 2);
  head.writeUInt16LE(text.length, 6);
  return biffRecord(0x0204, Buffer.concat([head, Buffer.from(text, 'latin1')]));
}

function number(row: number, column: number, value: number): Buffer {
  const data = Buffer.alloc(14);
  data.writeUInt16LE(row, 0);
  data.writeUInt16LE(column, 2);
  data.writeDoubleLE(value, 6);
  return biffRecord(0x0203, data);
}

function cellRecords(rows: readonly (readonly OldCell[])[]): Buffer[] {
  return rows.flatMap((row, rowIndex) => row.map((cell, column) => (typeof cell === 'number' ? number(rowIndex, column, cell) : label(rowIndex, column, cell))));
}

const EOF = biffRecord(0x000a, Buffer.alloc(0));

/** A BIFF5 workbook stream: globals (code page 1252, one BOUNDSHEET per sheet), then each worksheet. */
export function biff5Workbook(sheets: readonly { readonly name: string; readonly rows: readonly (readonly OldCell[])[] }[]): Buffer {
  const codePage = Buffer.alloc(2);
  codePage.writeUInt16LE(1252, 0);
  const boundSheets = sheets.map((sheet) => {
    const head = Buffer.alloc(7);
    head.writeUInt8(sheet.name.length, 6);
    return biffRecord(0x0085, Buffer.concat([head, Buffer.from(sheet.name, 'latin1')]));
  });
  return Buffer.concat([
    bof(0x0809, 0x0500, 0x0005, 8),
    biffRecord(0x0042, codePage),
    ...boundSheets,
    EOF,
    ...sheets.flatMap((sheet) => [bof(0x0809, 0x0500, 0x0010, 8), ...cellRecords(sheet.rows), EOF]),
  ]);
}

/** An Excel 4.0 worksheet file: one BIFF4 stream, no compound file around it. */
export function biff4Worksheet(rows: readonly (readonly OldCell[])[]): Buffer {
  return Buffer.concat([bof(0x0409, 0x0000, 0x0010, 6), ...cellRecords(rows), EOF]);
}
