import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** What the next hop took: the bytes exactly as received (after dot-unstuffing) and the envelope. */
export interface ReceivedMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: Buffer;
  readonly secure: boolean;
  /** MAIL FROM's BODY= parameter, lower case (`8bitmime`), when the client gave one. */
  readonly bodyType?: string | undefined;
  /** Whether MAIL FROM carried SMTPUTF8 (RFC 6531). */
  readonly smtpUtf8: boolean;
}

export interface NextHopBehaviour {
  /** Listen on this port rather than a free one: a next hop coming back where it was. */
  readonly port?: number;
  /** Per recipient: the reply code to refuse it with (4xx or 5xx); absent recipients are accepted. */
  readonly refuse?: Readonly<Record<string, number>>;
  /** Refuse every message at the end of DATA with this code. */
  readonly refuseMessage?: number;
  /** Never answer the end of DATA. */
  readonly hang?: boolean;
  /** Take each message (after its final dot) only once this resolves: a delivery held in flight. */
  readonly acceptWhen?: () => Promise<void>;
  /** Answer MAIL FROM with 421 and close the session once it has carried this many messages. */
  readonly messagesPerSession?: number;
  /** Close sessions idle this long, with 421, as relays do. */
  readonly idleTimeoutMs?: number;
  /** Advertise neither PIPELINING nor STARTTLS, like an old relay. */
  readonly plain?: boolean;
  /**
   * The certificate STARTTLS presents (PEM). Without one STARTTLS is not offered: smtp-server's built-in certificate
   * is vouched for by no CA, and the gateway verifies the next hop's certificate by default.
   */
  readonly certificate?: { readonly key: string; readonly cert: string };
  /** Require SMTP AUTH with these credentials before MAIL FROM. */
  readonly login?: { readonly user: string; readonly pass: string };
}

export interface RunningNextHop {
  readonly url: string;
  readonly port: number;
  readonly received: ReceivedMessage[];
  /** Messages whose DATA began (354 sent) but never completed with the final dot. */
  readonly aborted: () => number;
  /** Sessions opened so far. */
  readonly sessions: () => number;
  close(): Promise<void>;
}

/** A real SMTP server on port 0, standing in for the school's onward relay. */
export async function startNextHop(behaviour: NextHopBehaviour = {}): Promise<RunningNextHop> {
  const received: ReceivedMessage[] = [];
  let aborted = 0;
  let sessions = 0;
  const options: SMTPServerOptions = {
    authOptional: behaviour.login === undefined,
    disabledCommands: [...(behaviour.login && !behaviour.plain ? [] : ['AUTH']), ...(behaviour.certificate && !behaviour.plain ? [] : ['STARTTLS'])],
    ...(behaviour.certificate ?? {}),
    onAuth(auth, _session, callback) {
      const login = behaviour.login;
      if (login && auth.username === login.user && auth.password === login.pass) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('authentication failed'), { responseCode: 535 }));
    },
    hidePIPELINING: behaviour.plain ?? false,
    logger: false,
    ...(behaviour.idleTimeoutMs === undefined ? {} : { socketTimeout: behaviour.idleTimeoutMs }),
    onConnect(_session, callback) {
      sessions += 1;
      callback();
    },
    onMailFrom(_address, session, callback) {
      if (behaviour.messagesPerSession !== undefined && session.transaction > behaviour.messagesPerSession) {
        return callback(Object.assign(new Error('closing this session'), { responseCode: 421 }));
      }
      callback();
    },
    onRcptTo(address, _session, callback) {
      const code = behaviour.refuse?.[address.address];
      if (code === undefined) return callback();
      callback(Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', () => undefined);
      stream.on('end', async () => {
        if (behaviour.hang) return;
        await behaviour.acceptWhen?.();
        if (behaviour.refuseMessage !== undefined) {
          return callback(Object.assign(new Error('message refused'), { responseCode: behaviour.refuseMessage }));
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks),
          secure: session.secure,
          bodyType: session.envelope.bodyType,
          smtpUtf8: session.envelope.smtpUtf8 === true,
        });
        callback(null, 'Ok: queued as TEST1');
      });
      stream.once('close', () => {
        if (!(stream as unknown as { readableEnded: boolean }).readableEnded) aborted += 1;
      });
    },
  };
  const server = new SMTPServer(options);
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(behaviour.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    aborted: () => aborted,
    sessions: () => sessions,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
