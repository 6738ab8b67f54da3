import type { Envelope } from '../message/envelope.js';

/** A message received over SMTP and written to the spool, waiting for its verdict. */
export interface SpooledMessage {
  /** A random id for logs; it says nothing about the message. */
  readonly id: string;
  /** The spool file: exactly the bytes received (after dot-unstuffing), line ends as sent. */
  readonly path: string;
  readonly sizeBytes: number;
  /**
   * The spool file's bytes, when the message is small enough to be held in memory (spool-file.ts):
   * read them rather than the file. The file exists either way, for whatever needs a path.
   */
  readonly bytes?: Buffer | undefined;
  /** Lower-cased MAIL FROM and RCPT TO. */
  readonly envelope: Envelope;
  readonly client: {
    readonly address: string;
    readonly hostname: string;
    readonly secure: boolean;
    readonly user: string | undefined;
  };
}

/** The answer to DATA: 250 only when the message is safely handed on or durably held. */
export interface SmtpReply {
  readonly code: number;
  readonly message: string;
}

export type MessageHandler = (message: SpooledMessage) => Promise<SmtpReply>;
