import type { Extractor } from './extractor.js';
import { openOoxml } from './ooxml.js';
import { decodeXmlEntities } from './xml-entities.js';

/** The document body of every OpenDocument package: text, spreadsheet and presentation (ODF 1.3 Part 2, 3.1.3). */
const CONTENT = 'content.xml';

/** Every tag; `<text:s text:c="3"/>` stands for spaces (ODF 1.3 Part 3, 6.1.3), others end a line or a cell, or are dropped. */
const LAYOUT = /<text:s(?:\s+text:c="(\d+)")?\s*\/>|<[^>]*>/g;

/**
 * OpenDocument files (.odt, .ods, .odp, from LibreOffice and Google Docs): the text of content.xml,
 * paragraphs and table rows on lines of their own, cells separated by tabs. The package is read
 * as a ZIP is, against the decompressed-bytes budget.
 */
export const extractOdf: Extractor = async (file, context) => {
  const { facts, parts } = await openOoxml(file.bytes, context, (name) => name === CONTENT);
  const content = parts.get(CONTENT);
  if (!content) {
    throw new Error('the OpenDocument package has no content.xml');
  }
  const xml = content.toString('utf8');
  return { texts: [odfText(xml)], tableRows: firstTableRows(xml), facts, truncated: false };
};

/** The rows of the first table with any (a spreadsheet's first sheet), cells trimmed, for bulk-data checks. */
function firstTableRows(xml: string): string[][] {
  for (const [table] of xml.matchAll(/<table:table[\s>][\s\S]*?<\/table:table>/g)) {
    const rows = odfText(table)
      .split('\n')
      // Every cell ends with a tab; the last one's is no cell of its own.
      .map((line) =>
        line
          .replace(/\t$/, '')
          .split('\t')
          .map((cell) => cell.trim()),
      )
      .filter((row) => row.some((cell) => cell !== ''));
    if (rows.length > 0) return rows;
  }
  return [];
}

function odfText(xml: string): string {
  // A cell's last paragraph ends with the cell, so its row stays on one line.
  const body = xml.slice(Math.max(0, xml.indexOf('<office:body'))).replace(/<\/text:p>(?=<\/table:table-cell>)/g, '');
  return decodeXmlEntities(body.replace(LAYOUT, layoutText));
}

const LINE_ENDS = new Set(['</text:p>', '</text:h>', '</table:table-row>']);

function layoutText(element: string, spaces: string | undefined): string {
  if (/^<text:s[\s/]/.test(element)) {
    return ' '.repeat(Math.min(Number(spaces ?? 1), 1000));
  }
  if (element.startsWith('<text:tab') || element === '</table:table-cell>') {
    return '\t';
  }
  return element.startsWith('<text:line-break') || LINE_ENDS.has(element) ? '\n' : '';
}
