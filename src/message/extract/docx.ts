import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';
import { openOoxml, tooLargeToLoad } from './ooxml.js';
import { decodeXmlEntities } from './xml-entities.js';

/** The main document part of a Word package (ECMA-376 Part 1, 11.3.10). */
const DOCUMENT_PART = 'word/document.xml';

/**
 * Word documents (.docx, .docm): the body text, as mammoth reads it, and the rows of the first
 * table with at least two rows, for bulk checks and for pairing name columns (mammoth's raw text
 * puts each cell on a line of its own, so a row's cells can no longer be told apart).
 */
export const extractDocx: Extractor = async (file, context) => {
  const ooxml = await openOoxml(file.bytes, context, (name) => name === DOCUMENT_PART);
  const tooLarge = tooLargeToLoad(ooxml, 'Word document');
  if (tooLarge) {
    return textExtraction([], [...ooxml.facts, tooLarge]);
  }
  const { default: mammoth } = await import('mammoth');
  const { value } = await mammoth.extractRawText({ buffer: file.bytes });
  const documentXml = ooxml.parts.get(DOCUMENT_PART)?.toString('utf8') ?? '';
  return { ...textExtraction([value], ooxml.facts), tableRows: firstTableRows(documentXml) };
};

/** Rows of the first table with two or more rows; a table nested in a cell is read as that cell's text. */
export function firstTableRows(documentXml: string): string[][] {
  for (const [table] of documentXml.matchAll(/<w:tbl>[\s\S]*?<\/w:tbl>/g)) {
    const rows = [...table.matchAll(/<w:tr[\s>][\s\S]*?<\/w:tr>/g)].map(([row]) => [...row.matchAll(/<w:tc[\s>][\s\S]*?<\/w:tc>/g)].map(([cell]) => cellText(cell)));
    const filled = rows.filter((row) => row.some((cell) => cell !== ''));
    if (filled.length >= 2) return filled;
  }
  return [];
}

/** A cell's text runs, its paragraphs joined by a space. */
function cellText(cellXml: string): string {
  return cellXml
    .split(/<\/w:p>/)
    .map((paragraph) => [...paragraph.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map(([, text]) => decodeXmlEntities(text ?? '')).join(''))
    .filter((text) => text.trim() !== '')
    .join(' ')
    .trim();
}
