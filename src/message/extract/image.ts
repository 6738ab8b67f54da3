import { imageSize } from 'image-size';
import { textExtraction } from './extractor.js';
import type { Extraction, Extractor } from './extractor.js';

/**
 * Images the OCR engine decodes itself (Leptonica inside tesseract.js-core), by the type sniffed
 * from their content. A GIF is read by its first frame, a TIFF by its first page.
 */
export const OCR_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/bmp', 'image/tiff', 'image/webp']);

/**
 * The text in an image attachment, read by OCR when the message's OCR is on (a screenshot of a
 * register, a photo of a paper form); otherwise nothing, and the engine is never loaded.
 */
export const extractImage: Extractor = async (file, context) => {
  if (!context.budget.ocrWanted) {
    return textExtraction([]);
  }
  const size = dimensionsOf(file.bytes);
  if (size === undefined) {
    return textExtraction([], [{ kind: 'ocr-limit', detail: 'the image could not be decoded for OCR; it may be damaged' }]);
  }
  const outcome = await context.readImage({ ...size, what: 'the image', file: () => file.bytes });
  return ocrExtraction([outcome.kind === 'text' ? outcome.text : ''], outcome.kind === 'text' ? [] : [outcome.fact]);
};

export function ocrExtraction(ocrTexts: readonly string[], facts: Extraction['facts']): Extraction {
  return { ...textExtraction([], facts), ocrTexts };
}

/** Width and height from the image's header, before anything is decoded; undefined for a header that cannot be read. */
function dimensionsOf(bytes: Uint8Array): { width: number; height: number } | undefined {
  try {
    const { width, height } = imageSize(bytes);
    return width > 0 && height > 0 ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}
