import type { MessageLimits } from './limits.js';
import type { MessageProblem } from './message-view.js';

/** The problem recorded when `maxMessageMillis` runs out, wherever the reading was. */
export const OUT_OF_TIME: MessageProblem = {
  kind: 'timeout',
  detail: 'the message took too long to read; only the part read in time was checked',
};

/**
 * What one `readMessage` call may still spend: time, parts and decompressed bytes are shared by
 * the message, its archives and its attached messages, so nesting cannot multiply the limits.
 */
export class ReadBudget {
  /** Aborts when the whole message has had `maxMessageMillis`. */
  readonly signal: AbortSignal;
  private readonly recorded: MessageProblem[] = [];
  private partsTaken = 0;
  private bytesDecompressed = 0;
  private ocrImagesTaken = 0;
  /**
   * Whether images are read by OCR: decided by the caller once the message's headers are known
   * (scan-message.ts reads it from the school's setting and the recipients). Off until then.
   */
  ocrWanted = false;

  constructor(readonly limits: MessageLimits) {
    this.signal = AbortSignal.timeout(limits.maxMessageMillis);
  }

  get problems(): readonly MessageProblem[] {
    return this.recorded;
  }

  /** Counts one more part or member; false once there are more than `maxParts`. */
  takePart(): boolean {
    this.partsTaken += 1;
    return this.partsTaken <= this.limits.maxParts;
  }

  /** Counts decompressed bytes; false once the message has decompressed more than `maxDecompressedBytes`. */
  takeDecompressed(bytes: number): boolean {
    this.bytesDecompressed += bytes;
    return this.bytesDecompressed <= this.limits.maxDecompressedBytes;
  }

  /** Counts one more image for OCR; false once the message has had `maxOcrImages`. */
  takeOcrImage(): boolean {
    this.ocrImagesTaken += 1;
    return this.ocrImagesTaken <= this.limits.maxOcrImages;
  }

  /** Records a message-wide problem once, however many parts run into it. */
  report(problem: MessageProblem): void {
    if (!this.recorded.some((seen) => seen.kind === problem.kind && seen.detail === problem.detail)) {
      this.recorded.push(problem);
    }
  }
}
