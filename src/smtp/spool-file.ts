import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createLineEndingCheck } from './line-ending-check.js';

/** How receiving the message data ended; only `stored` leaves a file behind. */
export type SpoolOutcome =
  | { readonly kind: 'stored'; readonly sizeBytes: number }
  | { readonly kind: 'too-big' }
  | { readonly kind: 'bare-line-ending' };

/**
 * Streams message data to `path` (created exclusively, readable by the gateway only) with bounded
 * memory. The moment the data goes over `maxBytes` or shows a bare CR or LF, writing stops; the rest
 * is read and discarded (the reply can only follow the final dot) and the file is removed.
 * Rejects, with the file removed, when the data or the disk fails.
 */
export async function spoolMessage(data: Readable, path: string, maxBytes: number): Promise<SpoolOutcome> {
  const lineEndings = createLineEndingCheck();
  let received = 0;
  let refusal: SpoolOutcome | undefined;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (refusal === undefined && received > maxBytes) refusal = { kind: 'too-big' };
      if (refusal === undefined && !lineEndings.inspect(chunk)) refusal = { kind: 'bare-line-ending' };
      done(null, refusal === undefined ? chunk : undefined);
    },
  });
  try {
    await pipeline(data, guard, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  } catch (error) {
    await removeSpoolFile(path);
    throw error;
  }
  if (refusal === undefined && !lineEndings.finish()) refusal = { kind: 'bare-line-ending' };
  if (refusal !== undefined) {
    await removeSpoolFile(path);
    return refusal;
  }
  return { kind: 'stored', sizeBytes: received };
}

export async function removeSpoolFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
