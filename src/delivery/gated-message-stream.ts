import { createReadStream, type ReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { RecipientRefusal } from './next-hop-reply.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

/** The next hop refused some recipients after it had accepted others: the message must go to none. */
export class RecipientsRefused extends HallmonitorError {
  readonly code = 'recipients-refused';
  readonly disposition = 'permanent';
  constructor(readonly refusals: readonly RecipientRefusal[]) {
    super('the next hop refused some recipients');
    this.name = 'RecipientsRefused';
  }
}

/** The recipients' fate could not be read, so the message is held back rather than risk a partial delivery. */
export class RecipientsUnknown extends HallmonitorError {
  readonly code = 'recipients-unknown';
  readonly disposition = 'temporary';
  constructor() {
    super('could not tell which recipients the next hop accepted');
    this.name = 'RecipientsUnknown';
  }
}

/**
 * The message, read only once every recipient is known to be accepted. The SMTP client reads it only
 * after DATA was answered, so the first read is the last moment to stop: failing then ends the send
 * before a byte of the message or the final dot went out.
 */
export class GatedMessageStream extends Readable {
  /** Whether any of the message was handed on; until then the next hop cannot have taken it. */
  started = false;
  refusal: RecipientsRefused | RecipientsUnknown | undefined;
  private source: ReadStream | undefined;

  constructor(
    /** The spool file, or its bytes when the message was small enough to keep in memory (smtp/spool-file.ts). */
    private readonly message: string | Buffer,
    private readonly refusedRecipients: () => readonly RecipientRefusal[] | 'unknown',
    private readonly prepend: Buffer = Buffer.alloc(0),
  ) {
    super();
  }

  override _read(): void {
    if (this.source) {
      this.source.resume();
      return;
    }
    const refused = this.refusedRecipients();
    if (refused === 'unknown' || refused.length > 0) {
      this.refusal = refused === 'unknown' ? new RecipientsUnknown() : new RecipientsRefused(refused);
      this.destroy(this.refusal);
      return;
    }
    this.started = true;
    if (Buffer.isBuffer(this.message)) {
      // One chunk, so the trace header and the message leave in one socket write, not two.
      this.push(this.prepend.length > 0 ? Buffer.concat([this.prepend, this.message]) : this.message);
      this.push(null);
      return;
    }
    if (this.prepend.length > 0) this.push(this.prepend);
    this.source = createReadStream(this.message);
    this.source.on('data', (chunk) => {
      if (!this.push(chunk)) this.source?.pause();
    });
    this.source.on('end', () => this.push(null));
    this.source.on('error', (error) => this.destroy(error));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.source?.destroy();
    callback(error);
  }
}
