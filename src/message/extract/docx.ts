import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';
import { openOoxml, tooLargeToLoad } from './ooxml.js';

/** Word documents (.docx, .docm): the body text, as mammoth reads it. */
export const extractDocx: Extractor = async (file, context) => {
  const ooxml = await openOoxml(file.bytes, context);
  const tooLarge = tooLargeToLoad(ooxml, 'Word document');
  if (tooLarge) {
    return textExtraction([], [...ooxml.facts, tooLarge]);
  }
  const { default: mammoth } = await import('mammoth');
  const { value } = await mammoth.extractRawText({ buffer: file.bytes });
  return textExtraction([value], ooxml.facts);
};
