import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';
import { openOoxml } from './ooxml.js';

/** Word documents (.docx, .docm): the body text, as mammoth reads it. */
export const extractDocx: Extractor = async (file, context) => {
  const { facts } = await openOoxml(file.bytes, context);
  const { default: mammoth } = await import('mammoth');
  const { value } = await mammoth.extractRawText({ buffer: file.bytes });
  return textExtraction([value], facts);
};
