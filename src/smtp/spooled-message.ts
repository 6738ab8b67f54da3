import type { Envelope } from '../message/envelope.js';

/**
 * A message received over SMTP, waiting for its verdict: exactly the bytes received (after dot-unstuffing),
 * line ends as sent. A small message is held in memory (`bytes`) and never written to disk: nothing is
 * acknowledged before the verdict's action is done, so a copy on disk would keep nothing safer. A large one
 * is in a spool file (`path`), so memory stays bounded whatever the size (spool-file.ts).
 */
export type SpooledMessage = SpooledMessageFacts & SpooledContent;

export type SpooledContent = { readonly bytes: Buffer; readonly path?: undefined } | { readonly path: string; readonly bytes?: undefined };

/** The message's bytes where they are held in memory, else its spool file's path. */
export function contentOf(message: SpooledContent): Buffer | string {
  return message.bytes !== undefined ? message.bytes : message.path;
}

interface SpooledMessageFacts {
  /** A random id for logs; it says nothing about the message. */
  readonly id: string;
  readonly sizeBytes: number;
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
