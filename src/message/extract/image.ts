import { imageSize } from 'image-size';
import { toNetpbm } from '../ocr.js';
import { textExtraction } from './extractor.js';
import type { Extraction, Extractor } from './extractor.js';

/**
 * Images read by OCR, by the type sniffed from their content. The engine decodes most itself
 * (Leptonica inside tesseract.js-core): a GIF by its first frame, a TIFF by its first page. HEIC
 * and HEIF (iPhone photos) are decoded first by heic-decode (libheif in WebAssembly), imported
 * only for them.
 */
export const OCR_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/bmp',
  'image/tiff',
  'image/webp',
  'image/heic',
  'image/heif',
  'image/heic-sequence',
  'image/heif-sequence',
]);

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
  const { width, height, heif } = size;
  const outcome = await context.readImage({ width, height, what: 'the image', file: () => (heif ? heifAsNetpbm(file.bytes) : file.bytes) });
  return ocrExtraction([outcome.kind === 'text' ? outcome.text : ''], outcome.kind === 'text' ? [] : [outcome.fact]);
};

async function heifAsNetpbm(bytes: Uint8Array): Promise<Uint8Array> {
  const { default: decode } = await import('heic-decode');
  const image = await decode({ buffer: bytes });
  return toNetpbm({ ...image, kind: 3 });
}

export function ocrExtraction(ocrTexts: readonly string[], facts: Extraction['facts']): Extraction {
  return { ...textExtraction([], facts), ocrTexts };
}

/** Width and height from the image's header, before anything is decoded; undefined for a header that cannot be read. */
function dimensionsOf(bytes: Uint8Array): { width: number; height: number; heif: boolean } | undefined {
  try {
    const { width, height, type } = imageSize(bytes);
    return width > 0 && height > 0 ? { width, height, heif: type === 'heif' || type === 'heic' } : undefined;
  } catch {
    return undefined;
  }
}
