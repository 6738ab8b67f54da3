import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Worker as TesseractWorker } from 'tesseract.js';
import { untilAborted } from './until-aborted.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

/**
 * Tesseract (tesseract.js: the C++ engine compiled to WebAssembly) on its own thread, one per
 * thread that reads messages, started at the first image and kept for the next. Everything it
 * loads comes from node_modules: the engine from tesseract.js-core, the English LSTM model from
 * @tesseract.js-data/eng. With `langPath` a local folder and `cacheMethod: 'none'` it neither
 * fetches nor writes a copy of the model anywhere.
 *
 * Recognition is synchronous WebAssembly: it cannot be interrupted, only its thread ended. So
 * images are read one at a time, and one that runs out of time ends the thread; the next image
 * starts a fresh one.
 */

/** The English model without the legacy engine: smaller and what LSTM-only recognition needs. */
const MODEL_FOLDER = '4.0.0_best_int';

function modelPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), MODEL_FOLDER);
}

/** Thrown when the image's time ran out; the engine's thread was ended with it. */
export class OcrTimeoutError extends HallmonitorError {
  override readonly name = 'OcrTimeoutError';
  readonly code = 'ocr-timeout';
  /** The image's time is spent: reading it again would take as long. */
  readonly disposition = 'permanent';
}

let engine: Promise<TesseractWorker> | undefined;
/** Images are read one after another: the thread runs one at a time, and ending it ends all it holds. */
let queue: Promise<unknown> = Promise.resolve();

async function startEngine(): Promise<TesseractWorker> {
  const { createWorker, OEM, PSM } = await import('tesseract.js');
  const worker = await createWorker('eng', OEM.LSTM_ONLY, {
    langPath: modelPath(),
    gzip: true,
    cacheMethod: 'none',
    // tesseract.js throws a failed job's error from its message handler unless given a handler; the
    // job's own promise rejects either way, and that is where it is handled.
    errorHandler: () => undefined,
  });
  await worker.setParameters({
    // tesseract.js reads one block of text by default; screenshots and ruled class lists are text
    // scattered in cells and menus, which sparse-text mode finds (measured: 11 of 12 names in the
    // fixtures, against 2 in the default mode on the scanned list).
    tessedit_pageseg_mode: PSM.SPARSE_TEXT,
    // Tesseract's notes ("Estimating resolution as 135") would go to stderr, beside the JSON log.
    debug_file: '/dev/null',
  });
  idle(worker);
  return worker;
}

/** The engine's thread keeps the process alive only while it reads: a CLI scan still exits when done. */
function idle(worker: TesseractWorker): void {
  threadOf(worker)?.unref();
}

function threadOf(worker: TesseractWorker): { ref(): void; unref(): void } | undefined {
  return (worker as unknown as { worker?: { ref(): void; unref(): void } }).worker;
}

function stopEngine(): void {
  const stopping = engine;
  engine = undefined;
  void stopping?.then((worker) => worker.terminate()).catch(() => undefined);
}

/**
 * The text in one image file (PNG, JPEG, GIF, BMP, TIFF, WebP or PNM), or throws: `OcrTimeoutError`
 * after `timeoutMs` of recognition, the signal's reason when it aborts, or the engine's error for
 * an image it cannot decode. The time starts when this image's turn comes and the engine is ready.
 */
export function recognizeText(image: Uint8Array, timeoutMs: number, signal: AbortSignal): Promise<string> {
  const turn = queue.then(() => recognizeNow(image, timeoutMs, signal));
  queue = turn.catch(() => undefined);
  return turn;
}

async function recognizeNow(image: Uint8Array, timeoutMs: number, signal: AbortSignal): Promise<string> {
  signal.throwIfAborted();
  engine ??= startEngine();
  const starting = engine;
  // The start is not the image's time: on a busy machine it can take longer than an image may, and
  // ending it then would leave every image after it to start again. The message's time bounds it.
  const worker = await untilAborted(starting, signal).catch((error: unknown) => {
    if (!signal.aborted && engine === starting) engine = undefined;
    throw error;
  });
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  const thread = threadOf(worker);
  thread?.ref();
  try {
    const result = await untilAborted(worker.recognize(Buffer.from(image.buffer, image.byteOffset, image.byteLength)), deadline);
    return result.data.text;
  } catch (error) {
    if (!deadline.aborted) throw error;
    if (engine === starting) stopEngine();
    throw signal.aborted ? signal.reason : new OcrTimeoutError(`OCR took longer than ${timeoutMs} ms`);
  } finally {
    thread?.unref();
  }
}

/** Ends the engine's thread, if one was started (tests, and a process that wants to exit at once). */
export function stopOcrEngine(): void {
  stopEngine();
}
