import { performance } from 'node:perf_hooks';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Attempt } from './accounting.js';
import type { SoakMessage } from './mix.js';

export interface ClientOptions {
  /** The gateways' SMTP ports; each try goes to one of them at random, as a sending service spreads over its smart hosts. */
  readonly ports: readonly number[];
  /** Sessions at once. */
  readonly concurrency: number;
  /** Tries per message before the sender gives up and keeps it (a real MTA would bounce it after days). */
  readonly maxAttempts: number;
  /** The first wait after a 4xx or a lost connection; it doubles, up to `maxBackoffMillis`, with jitter. */
  readonly firstBackoffMillis: number;
  readonly maxBackoffMillis: number;
  /** Per-try limit on connecting and on each reply. */
  readonly timeoutMillis: number;
  readonly random: () => number;
}

/** The tries of each message, by its key, and how many messages are finished so far. */
export interface ClientRun {
  readonly attempts: Map<string, Attempt[]>;
  finished(): number;
  readonly done: Promise<void>;
}

/**
 * A sending service in miniature: it sends each message to a gateway and, like an MTA (RFC 5321 §4.5.4),
 * keeps it and tries again later after a 4xx or a lost connection, and gives it up on a 5xx. So every
 * message is, at the end, either accepted (2xx) or still the sender's.
 */
export function sendAll(messages: readonly SoakMessage[], options: ClientOptions): ClientRun {
  const attempts = new Map<string, Attempt[]>();
  let next = 0;
  let finished = 0;
  const worker = async () => {
    for (let index = next++; index < messages.length; index = next++) {
      const message = messages[index]!;
      const tries: Attempt[] = [];
      attempts.set(message.key, tries);
      for (;;) {
        const port = options.ports[Math.floor(options.random() * options.ports.length)]!;
        const attempt = await trySend(port, message, options.timeoutMillis);
        tries.push(attempt);
        if (isFinal(attempt) || tries.length >= options.maxAttempts) break;
        const wait = Math.min(options.maxBackoffMillis, options.firstBackoffMillis * 2 ** (tries.length - 1));
        await new Promise((resolve) => setTimeout(resolve, wait * (0.5 + options.random())));
      }
      finished += 1;
    }
  };
  const done = Promise.all(Array.from({ length: options.concurrency }, worker)).then(() => undefined);
  return { attempts, finished: () => finished, done };
}

function isFinal(attempt: Attempt): boolean {
  return attempt.code !== undefined && (attempt.code < 400 || attempt.code >= 500);
}

/** One session, one message; the reply to the message, or no code when the connection failed. */
function trySend(port: number, message: SoakMessage, timeoutMillis: number): Promise<Attempt> {
  const started = performance.now();
  const connection = new SMTPConnection({
    host: '127.0.0.1',
    port,
    name: 'soak-client.example.org',
    ignoreTLS: true,
    connectionTimeout: timeoutMillis,
    greetingTimeout: timeoutMillis,
    socketTimeout: timeoutMillis,
  });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (code: number | undefined) => {
      if (settled) return;
      settled = true;
      resolve({ started, ended: performance.now(), ...(code === undefined ? {} : { code }) });
      if (code !== undefined && code < 300) connection.quit();
      else connection.close();
    };
    connection.on('error', (error: SMTPConnection.SMTPError) => finish(error.responseCode));
    connection.connect((error) => {
      if (error) return finish(error.responseCode);
      connection.send({ from: message.envelope.mailFrom, to: [...message.envelope.rcptTo] }, message.raw, (sendError, info) => {
        if (sendError) return finish(sendError.responseCode);
        finish(Number(/^\d{3}/.exec(info.response)?.[0] ?? 250));
      });
    });
  });
}
