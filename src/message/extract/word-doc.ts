import WordExtractor from 'word-extractor';

/**
 * The text of a Word 97-2003 document (MS-DOC): body, headers and footers, footnotes, endnotes,
 * comments and text boxes, as word-extractor reads them from its piece table.
 */
export async function wordDocumentText(bytes: Buffer): Promise<string> {
  const document = await new WordExtractor().extract(bytes);
  return [
    document.getBody(),
    document.getHeaders({ includeFooters: true }),
    document.getFootnotes(),
    document.getEndnotes(),
    document.getAnnotations(),
    document.getTextboxes({ includeHeadersAndFooters: true, includeBody: true }),
  ].join('\n');
}
