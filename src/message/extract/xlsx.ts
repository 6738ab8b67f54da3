import type { Cell, Row, Worksheet } from 'exceljs';
import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';
import { openOoxml, tooLargeToLoad } from './ooxml.js';

/**
 * Excel workbooks (.xlsx, .xlsm): every sheet, hidden ones too, as a line with the sheet's name
 * followed by its rows with cells separated by tabs. The first sheet with any rows becomes the
 * table.
 */
export const extractXlsx: Extractor = async (file, context) => {
  const ooxml = await openOoxml(file.bytes, context);
  const tooLarge = tooLargeToLoad(ooxml, 'Excel workbook');
  if (tooLarge) {
    return textExtraction([], [...ooxml.facts, tooLarge]);
  }
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  // exceljs declares its input as an ArrayBuffer; a copy gives it one.
  await workbook.xlsx.load(new Uint8Array(file.bytes).buffer);
  const lines: string[] = [];
  let length = 0;
  let tableRows: string[][] | undefined;
  for (const sheet of workbook.worksheets) {
    const rows = sheetRows(sheet, context.limits.maxAttachmentTextChars - length);
    if (!tableRows && rows.length > 0) {
      tableRows = rows;
    }
    const sheetLines = [sheet.name, ...rows.map((row) => row.join('\t'))];
    lines.push(...sheetLines);
    length += sheetLines.reduce((sum, line) => sum + line.length + 1, 0);
    if (length > context.limits.maxAttachmentTextChars) {
      break;
    }
  }
  return { texts: [lines.join('\n')], tableRows: tableRows ?? [], facts: ooxml.facts, truncated: false };
};

/** Rows with any value, until they hold more than `maxChars` characters. */
function sheetRows(sheet: Worksheet, maxChars: number): string[][] {
  const rows: string[][] = [];
  let length = 0;
  for (let number = 1; number <= sheet.rowCount && length <= maxChars; number += 1) {
    const row = sheet.findRow(number);
    if (row?.hasValues) {
      const cells = rowCells(row);
      rows.push(cells);
      length += cells.reduce((sum, cell) => sum + cell.length + 1, 0);
    }
  }
  return rows;
}

function rowCells(row: Row): string[] {
  const cells: string[] = [];
  row.eachCell({ includeEmpty: true }, (cell, column) => {
    cells[column - 1] = cellText(cell);
  });
  return Array.from(cells, (cell) => cell ?? '');
}

/** Dates as a UK reader writes them; exceljs would give JavaScript's `Date.toString()`. */
function cellText(cell: Cell): string {
  const value: unknown = cell.formula ? cell.result : cell.value;
  if (value instanceof Date) {
    const day = String(value.getUTCDate()).padStart(2, '0');
    const month = String(value.getUTCMonth() + 1).padStart(2, '0');
    return `${day}/${month}/${value.getUTCFullYear()}`;
  }
  return cell.text.trim();
}
