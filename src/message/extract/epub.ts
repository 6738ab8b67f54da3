import { htmlToReadableText } from '../html-to-text.js';
import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';
import { openOoxml } from './ooxml.js';

/** Content documents are XHTML (EPUB 3.3, 6.1); some older books use plain HTML. */
const CONTENT_DOCUMENT = /\.(x?html?)$/i;

/**
 * EPUB books: the text of every content document, in the order the package stores them. The
 * package is read as a ZIP is, against the decompressed-bytes budget.
 */
export const extractEpub: Extractor = async (file, context) => {
  const { facts, parts } = await openOoxml(file.bytes, context, (name) => CONTENT_DOCUMENT.test(name));
  return textExtraction(
    [...parts.values()].map((html) => htmlToReadableText(html.toString('utf8'))),
    facts,
  );
};
