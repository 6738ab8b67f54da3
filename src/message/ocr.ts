import type { AttachmentFact } from './message-view.js';
import { OcrTimeoutError, recognizeText } from './ocr-engine.js';
import type { ReadBudget } from './read-budget.js';

/** One image whose text is wanted: an image attachment, or an image on a scanned PDF page. */
export interface ImageToRead {
  readonly width: number;
  readonly height: number;
  /** What it is, for a fact: "the image", "the image on page 2". */
  readonly what: string;
  /** The image as a file the engine decodes (PNG, JPEG, ... or PNM); made only once the limits let it be read. */
  readonly file: () => Uint8Array | Promise<Uint8Array>;
}

export type OcrOutcome = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'not-read'; readonly fact: AttachmentFact };

/**
 * Fewer pixels than this across or down cannot hold a legible line of text: tracking pixels,
 * spacers and rules. They are neither read nor counted towards `maxOcrImages`.
 */
const MIN_TEXT_PIXELS = 16;

const NOTHING: OcrOutcome = { kind: 'text', text: '' };

function notRead(detail: string): OcrOutcome {
  return { kind: 'not-read', fact: { kind: 'ocr-limit', detail } };
}

/**
 * Reads the text in one image within the message's OCR limits: pixels per image, images per
 * message, time per image. An image a limit stops, or one the engine cannot decode, becomes an
 * `ocr-limit` fact for the policy. Throws only when the message's own time has run out.
 */
export async function readImageByOcr(image: ImageToRead, budget: ReadBudget): Promise<OcrOutcome> {
  const { limits } = budget;
  if (image.width < MIN_TEXT_PIXELS || image.height < MIN_TEXT_PIXELS) {
    return NOTHING;
  }
  if (image.width * image.height > limits.maxOcrPixels) {
    return notRead(`${image.what} is ${image.width} x ${image.height} pixels, more than the ${megapixels(limits.maxOcrPixels)} read by OCR`);
  }
  if (!budget.takeOcrImage()) {
    return notRead(`the message has more than ${limits.maxOcrImages} images to read by OCR, and ${image.what} is past them`);
  }
  try {
    return { kind: 'text', text: await recognizeText(await image.file(), limits.maxOcrMillis, budget.signal) };
  } catch (error) {
    if (budget.signal.aborted) {
      throw error;
    }
    return error instanceof OcrTimeoutError
      ? notRead(`reading the text in ${image.what} by OCR took longer than ${limits.maxOcrMillis} ms`)
      : notRead(`${image.what} could not be decoded for OCR: it may be damaged, or in a format not decoded here (such as JPEG 2000)`);
  }
}

export function megapixels(pixels: number): string {
  return `${Math.round(pixels / 100_000) / 10} megapixels`;
}

/** How pdf.js hands over a decoded image (its ImageKind): 1 bit grey (1 = white), RGB, or RGBA. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly kind: 1 | 2 | 3;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/**
 * A decoded image as a Netpbm file (PBM for 1 bit, PPM for colour), which the engine reads
 * without a decoder of ours: a text header, then the pixels as they are.
 */
export function toNetpbm(image: DecodedImage): Uint8Array {
  const { width, height, kind, data } = image;
  if (kind === 1) {
    // PBM (P4) packs rows to whole bytes as pdf.js does, but 1 is black where pdf.js has white.
    return withHeader(
      `P4\n${width} ${height}\n`,
      Uint8Array.from(data, (byte) => byte ^ 0xff),
    );
  }
  if (kind === 2) {
    return withHeader(`P6\n${width} ${height}\n255\n`, data);
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel += 1) {
    rgb.set(data.subarray(pixel * 4, pixel * 4 + 3), pixel * 3);
  }
  return withHeader(`P6\n${width} ${height}\n255\n`, rgb);
}

function withHeader(header: string, pixels: Uint8Array | Uint8ClampedArray): Uint8Array {
  const file = new Uint8Array(header.length + pixels.length);
  file.set(Buffer.from(header, 'latin1'), 0);
  file.set(pixels, header.length);
  return file;
}
