import { textExtraction } from './extractor.js';
import type { Extractor } from './extractor.js';

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
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // pdf.js may take over the array it is given, so it gets a copy rather than the message's buffer.
  const task = getDocument({ ...PDF_OPTIONS, data: new Uint8Array(file.bytes) });
  const stop = (): void => void task.destroy();
  context.signal.addEventListener('abort', stop, { once: true });
  try {
    const document = await task.promise;
    const pages: string[] = [];
    let length = 0;
    for (let number = 1; number <= document.numPages && length <= context.limits.maxAttachmentTextChars; number += 1) {
      context.signal.throwIfAborted();
      const page = await document.getPage(number);
      const text = pageText(await page.getTextContent());
      page.cleanup();
      pages.push(text);
      length += text.length + 1;
    }
    return textExtraction([pages.join('\n')]);
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
  return bytes.subarray(Math.max(0, bytes.length - TRAILER_WINDOW)).toString('latin1').includes('/Encrypt');
}
