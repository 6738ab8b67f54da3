import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createLineEndingCheck } from './line-ending-check.js';

/** How receiving the message data ended; only `stored` leaves a file behind. */
export type SpoolOutcome =
  | {
      readonly kind: 'stored';
      readonly sizeBytes: number;
      /** The file's bytes, when there are at most `SpoolOptions.keepInMemoryBytes` of them. */
      readonly bytes: Buffer | undefined;
    }
  | { readonly kind: 'too-big' }
  | { readonly kind: 'bare-line-ending' };

/**
 * Most mail is small: the gateway reads it for the loop guard, the scan and the delivery, and one
 * copy in memory saves reading the file three times. Larger mail is read from the file each time,
 * so memory stays bounded however large the messages.
 */
export const DEFAULT_KEEP_IN_MEMORY_BYTES = 1024 * 1024;

export interface SpoolOptions {
  /** Data up to this size is also kept in memory and returned; default `DEFAULT_KEEP_IN_MEMORY_BYTES`. */
  readonly keepInMemoryBytes?: number;
  /** Called once, the moment the data goes over `maxBytes`, before the rest has been read. */
  readonly onTooBig?: () => void;
}

/**
 * Streams message data to `path` (created exclusively, readable by the gateway only) with bounded
 * memory, keeping a copy of data no larger than `keepInMemoryBytes`. The moment the data goes over
 * `maxBytes` or shows a bare CR or LF, writing stops and `onTooBig` is told of the former; the rest
 * is read and discarded (unless the caller ends the connection) and the file is removed.
 * Rejects, with the file removed, when the data or the disk fails.
 */
export async function spoolMessage(
  data: Readable,
  path: string,
  maxBytes: number,
  options: SpoolOptions = {},
): Promise<SpoolOutcome> {
  const keepInMemoryBytes = options.keepInMemoryBytes ?? DEFAULT_KEEP_IN_MEMORY_BYTES;
  const lineEndings = createLineEndingCheck();
  let received = 0;
  let kept: Buffer[] | undefined = [];
  let refusal: SpoolOutcome | undefined;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (refusal === undefined && received > maxBytes) {
        refusal = { kind: 'too-big' };
        options.onTooBig?.();
      }
      if (refusal === undefined && !lineEndings.inspect(chunk)) refusal = { kind: 'bare-line-ending' };
      kept = refusal === undefined && received <= keepInMemoryBytes ? kept : undefined;
      kept?.push(chunk);
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
  return { kind: 'stored', sizeBytes: received, bytes: kept === undefined ? undefined : Buffer.concat(kept, received) };
}

/** `unlink`, not `rm`: a spool file is never a folder, and `rm` costs an `lstat` first. */
export async function removeSpoolFile(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
