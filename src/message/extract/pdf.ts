import type { AttachmentFact } from '../message-view.js';
import { megapixels, toNetpbm } from '../ocr.js';
import type { DecodedImage } from '../ocr.js';
import { textExtraction } from './extractor.js';
import type { ExtractContext, Extractor } from './extractor.js';
import { ocrExtraction } from './image.js';

/**
 * pdf.js runs in this thread (its "fake worker"), fetches nothing, and never evaluates code or
 * loads fonts from the PDF: only the text layer is wanted.
 */
const PDF_OPTIONS = {
  isEvalSupported: false,
  useSystemFonts: false,
  disableFontFace: true,
  useWorkerFetch: false,
  useWasm: false,
  isOffscreenCanvasSupported: false,
  isImageDecoderSupported: false,
  enableXfa: false,
  stopAtErrors: false,
  verbosity: 0,
};

const NEEDS_PASSWORD = { kind: 'password-protected', detail: 'the PDF needs a password to open' } as const;

export const extractPdf: Extractor = async (file, context) => {
  const { getDocument, OPS } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // pdf.js may take over the array it is given, so it gets a copy rather than the message's buffer.
  // Images larger than OCR reads are not decoded at all.
  const task = getDocument({ ...PDF_OPTIONS, maxImageSize: context.limits.maxOcrPixels, data: new Uint8Array(file.bytes) });
  const stop = (): void => void task.destroy();
  context.signal.addEventListener('abort', stop, { once: true });
  try {
    const document = await task.promise;
    const pages: string[] = [];
    const scanned = { texts: [] as string[], facts: [] as AttachmentFact[] };
    let length = 0;
    for (let number = 1; number <= document.numPages && length <= context.limits.maxAttachmentTextChars; number += 1) {
      context.signal.throwIfAborted();
      const page = await document.getPage(number);
      const text = pageText(await page.getTextContent());
      if (text.trim() === '' && context.budget.ocrWanted) {
        const read = await readScannedPage(page, number, OPS.paintImageXObject, context);
        scanned.texts.push(...read.texts);
        scanned.facts.push(...read.facts);
        length += read.texts.reduce((sum, ocrText) => sum + ocrText.length + 1, 0);
      }
      page.cleanup();
      pages.push(text);
      length += text.length + 1;
    }
    return { ...ocrExtraction(scanned.texts, scanned.facts), texts: [pages.join('\n')] };
  } catch (error) {
    if (needsPassword(error, file.bytes)) {
      return textExtraction([], [NEEDS_PASSWORD]);
    }
    throw error;
  } finally {
    context.signal.removeEventListener('abort', stop);
    await task.destroy();
  }
};

/** What pdf.js needs of a page to hand over its images. */
interface PdfPage {
  getOperatorList(): Promise<{ fnArray: number[]; argsArray: unknown[][] }>;
  readonly objs: PdfObjects;
  readonly commonObjs: PdfObjects;
}

interface PdfObjects {
  get(id: string, callback: (data: unknown) => void): void;
}

/**
 * A page with no text layer is a scanned page (or a photo): the images drawn on it are read by
 * OCR, each within the message's OCR limits. pdf.js has decoded them (up to `maxImageSize`)
 * while listing the page's operators.
 */
async function readScannedPage(page: PdfPage, number: number, paintImage: number, context: ExtractContext): Promise<{ texts: string[]; facts: AttachmentFact[] }> {
  const operators = await page.getOperatorList();
  const texts: string[] = [];
  const facts: AttachmentFact[] = [];
  if (!operators.fnArray.includes(paintImage) && operators.fnArray.length > 0) {
    // Something is drawn but no image OCR can read: pdf.js leaves out, without a word, an image
    // over `maxImageSize` (and one it cannot decode); text drawn as outlines looks the same.
    const detail = `page ${number} has no text layer and no image OCR could read (an image of more than ${megapixels(context.limits.maxOcrPixels)} is not decoded)`;
    return { texts, facts: [{ kind: 'ocr-limit', detail }] };
  }
  for (const [index, operator] of operators.fnArray.entries()) {
    const [id, width, height] = operators.argsArray[index] ?? [];
    if (operator !== paintImage || typeof id !== 'string' || typeof width !== 'number' || typeof height !== 'number') continue;
    const what = `the scanned image on page ${number}`;
    // Decoded only once the limits let it be read; one pdf.js cannot decode (JPEG 2000 without
    // its WebAssembly decoder) becomes an `ocr-limit` fact, and the rest of the PDF is still read.
    const file = async () => toNetpbm(await decodedImage(id.startsWith('g_') ? page.commonObjs : page.objs, id));
    const outcome = await context.readImage({ width, height, what, file });
    if (outcome.kind === 'text') texts.push(outcome.text);
    else facts.push(outcome.fact);
  }
  return { texts, facts };
}

function decodedImage(objects: PdfObjects, id: string): Promise<DecodedImage> {
  return new Promise((resolve, reject) => {
    objects.get(id, (data) => (isDecodedImage(data) ? resolve(data) : reject(new Error('pdf.js gave no pixels for an image'))));
  });
}

function isDecodedImage(data: unknown): data is DecodedImage {
  const image = data as Partial<DecodedImage> | null;
  return typeof image?.width === 'number' && typeof image.height === 'number' && [1, 2, 3].includes(image.kind ?? 0) && ArrayBuffer.isView(image.data);
}

interface TextContent {
  readonly items: readonly object[];
}

/** pdf.js puts spaces between words in the items itself; `hasEOL` marks the end of a line. */
function pageText(content: TextContent): string {
  let text = '';
  for (const item of content.items) {
    if ('str' in item && typeof item.str === 'string') {
      text += item.str + ('hasEOL' in item && item.hasEOL ? '\n' : '');
    }
  }
  return text;
}

/** How far from the end a trailer (or cross-reference stream dictionary) is looked for. */
const TRAILER_WINDOW = 64 * 1024;

/**
 * pdf.js reports a missing password as a PasswordException. A PDF it cannot open for another
 * reason still counts as protected when its trailer names an /Encrypt dictionary (ISO 32000-1 7.6.1).
 */
function needsPassword(error: unknown, bytes: Buffer): boolean {
  if (error instanceof Error && error.name === 'PasswordException') {
    return true;
  }
  return bytes
    .subarray(Math.max(0, bytes.length - TRAILER_WINDOW))
    .toString('latin1')
    .includes('/Encrypt');
}
