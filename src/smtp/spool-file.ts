import { open, unlink, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createLineEndingCheck } from './line-ending-check.js';
import type { SpooledContent } from './spooled-message.js';

/** How receiving the message data ended; only `stored` with a `path` leaves a file behind. */
export type SpoolOutcome = ({ readonly kind: 'stored'; readonly sizeBytes: number } & SpooledContent) | { readonly kind: 'too-big' } | { readonly kind: 'bare-line-ending' };

/**
 * Most mail is small: the gateway reads it for the loop guard, the scan and the delivery, and one
 * copy in memory saves reading the file three times. Larger mail is read from the file each time,
 * so memory stays bounded however large the messages.
 */
export const DEFAULT_KEEP_IN_MEMORY_BYTES = 1024 * 1024;

export interface SpoolOptions {
  /** Data up to this size is kept in memory and returned, and no file is written; default `DEFAULT_KEEP_IN_MEMORY_BYTES`. */
  readonly keepInMemoryBytes?: number;
  /** Called once, the moment the data goes over `maxBytes`, before the rest has been read. */
  readonly onTooBig?: () => void;
}

/**
 * Keeps message data no larger than `keepInMemoryBytes` in memory; larger data streams to `path` (created
 * exclusively, readable by the gateway only) with bounded memory. The moment the data goes over
 * `maxBytes` or shows a bare CR or LF, writing stops and `onTooBig` is told of the former; the rest
 * is read and discarded (unless the caller ends the connection) and the file is removed.
 * Rejects, with the file removed, when the data or the disk fails.
 */
export async function spoolMessage(data: Readable, path: string, maxBytes: number, options: SpoolOptions = {}): Promise<SpoolOutcome> {
  const lineEndings = createLineEndingCheck();
  const file = new SpoolFile(path, options.keepInMemoryBytes ?? DEFAULT_KEEP_IN_MEMORY_BYTES);
  let received = 0;
  let refusal: SpoolOutcome | undefined;
  try {
    for await (const chunk of data as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (refusal === undefined && received > maxBytes) {
        refusal = { kind: 'too-big' };
        options.onTooBig?.();
      }
      if (refusal === undefined && !lineEndings.inspect(chunk)) refusal = { kind: 'bare-line-ending' };
      if (refusal === undefined) await file.write(chunk);
    }
    if (refusal === undefined && !lineEndings.finish()) refusal = { kind: 'bare-line-ending' };
    if (refusal === undefined) return { kind: 'stored', sizeBytes: received, ...(await file.end()) };
  } catch (error) {
    await file.discard();
    throw error;
  }
  await file.discard();
  return refusal;
}

/**
 * The message being received. Data that fits in `keepInMemoryBytes` is held and never written (the open,
 * write, close and unlink of a file cost about 0.25 ms of CPU for a 20 KB message, docs/benchmarks.md);
 * larger data goes to the file as it comes, what was held first. Awaiting each write holds the sender back
 * while the disk catches up.
 */
class SpoolFile {
  private held: Buffer[] | undefined = [];
  private heldBytes = 0;
  private handle: FileHandle | undefined;
  /** Set once this message's file exists: only then is there anything to remove (never a file that was there before). */
  private created = false;

  constructor(
    private readonly path: string,
    private readonly keepInMemoryBytes: number,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    if (this.held !== undefined && this.heldBytes + chunk.length <= this.keepInMemoryBytes) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      return;
    }
    if (this.handle === undefined) {
      this.handle = await open(this.path, 'wx', 0o600);
      this.created = true;
      const held = Buffer.concat(this.held ?? [], this.heldBytes);
      this.held = undefined;
      await this.handle.writeFile(held);
    }
    // writeFile, unlike write, goes on until every byte is written.
    await this.handle.writeFile(chunk);
  }

  /** The data, held in memory, or the finished file's path. */
  async end(): Promise<SpooledContent> {
    if (this.held === undefined) {
      await this.close();
      return { path: this.path };
    }
    return { bytes: Buffer.concat(this.held, this.heldBytes) };
  }

  /** Closes and removes whatever was written. */
  async discard(): Promise<void> {
    await this.close().catch(() => undefined);
    if (this.created) await removeSpoolFile(this.path);
  }

  private async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}

/** `unlink`, not `rm`: a spool file is never a folder, and `rm` costs an `lstat` first. */
export async function removeSpoolFile(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
