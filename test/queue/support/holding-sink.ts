import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface AcceptedMail {
  readonly to: readonly string[];
  readonly from: string;
  readonly raw: Buffer;
  readonly acceptedAt: number;
}

/**
 * A real SMTP server as the next hop that can hold its answer to the end of DATA: the moment a sending
 * worker is "mid-job". A held message that loses its client is never accepted, as an MTA that had not
 * yet replied would not take responsibility for it.
 */
export interface HoldingSink {
  readonly url: string;
  readonly accepted: AcceptedMail[];
  /** Resolves when a message has arrived whole and its answer is being held. */
  readonly held: Promise<void>;
  /** Hold the answer to the next `count` messages (default 0). */
  hold(count: number): void;
  messageIds(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startHoldingSink(): Promise<HoldingSink> {
  const accepted: AcceptedMail[] = [];
  let toHold = 0;
  let heldNow: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (heldNow = resolve));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    // Held sessions would otherwise keep close() waiting for its default 30 s.
    closeTimeout: 100,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (toHold > 0) {
          toHold -= 1;
          heldNow();
          return;
        }
        accepted.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks),
          acceptedAt: Date.now(),
        });
        callback(null, 'Ok: queued');
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    held,
    hold: (count) => {
      toHold = count;
    },
    messageIds: async () => Promise.all(accepted.map(async (mail) => (await simpleParser(mail.raw)).messageId ?? '')),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
