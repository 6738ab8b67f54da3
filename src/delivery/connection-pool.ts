import { hostname } from 'node:os';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

/** Where the next hop is and how long to wait for it. */
export interface NextHopTarget {
  readonly host: string;
  readonly port: number;
  /** smtps://: TLS from the first byte (RFC 8314); otherwise STARTTLS when offered. */
  readonly secure: boolean;
  readonly timeoutMs: number;
  readonly tls: NextHopTls;
  /** SMTP AUTH after STARTTLS, for relays that want the gateway to log in (e.g. smtp.office365.com:587). */
  readonly auth?: { readonly user: string; readonly pass: string };
}

/** How much to trust the way to the next hop. */
export interface NextHopTls {
  /** Refuse to send unless the session is encrypted (STARTTLS offered and set up, or smtps://). */
  readonly require: boolean;
  /** Check the next hop's certificate chain and name; against `ca` (PEM) when given, else the system's roots. */
  readonly verify: boolean;
  readonly ca?: string;
}

/** Open SMTP sessions to the next hop, reused between messages. */
export interface ConnectionPool {
  /** A connected session, idle or new; rejects with nodemailer's error when the next hop cannot be reached. */
  acquire(): Promise<PooledSession>;
  /**
   * Hands a session back. A `reusable` one (its last transaction finished) is kept for the next message or
   * ended with QUIT; any other is dropped without a word, since it may be in the middle of DATA where QUIT
   * would be read as message text; the next hop takes on a message only when it answers the final dot (RFC 5321 §6.1).
   */
  release(connection: SMTPConnection, reusable: boolean): void;
  close(): Promise<void>;
}

export interface PooledSession {
  readonly connection: SMTPConnection;
  /** Whether it carried an earlier message, and so may have been closed by the next hop while idle. */
  readonly reused: boolean;
}

export interface PoolOptions {
  /** Keep sessions open between messages; one session per message when false. */
  readonly pool: boolean;
  readonly maxConnections: number;
}

/**
 * A small pool over nodemailer's SMTPConnection. nodemailer's own smtp-pool sends DATA to the accepted
 * recipients when others are refused; the gateway must deliver all or nothing, so it drives sessions itself.
 */
export function connectionPool(target: NextHopTarget, options: PoolOptions): ConnectionPool {
  const idle: SMTPConnection[] = [];
  /** Callers waiting for a session: handed one directly, or woken with undefined when a slot frees up. */
  const waiting: ((session: PooledSession | undefined) => void)[] = [];
  let open = 0;
  let closed = false;

  const releaseSlot = (): void => {
    open -= 1;
    waiting.shift()?.(undefined);
  };

  /** An idle session the next hop closed (its idle timeout, a restart) gives its slot back. */
  const dropIdle = (connection: SMTPConnection): void => {
    const index = idle.indexOf(connection);
    if (index < 0) return;
    idle.splice(index, 1);
    releaseSlot();
  };

  const openSession = async (): Promise<PooledSession> => {
    open += 1;
    try {
      const connection = await connect(target);
      connection.once('end', () => dropIdle(connection));
      return { connection, reused: false };
    } catch (error) {
      releaseSlot();
      throw error;
    }
  };

  return {
    async acquire() {
      for (;;) {
        const reused = idle.pop();
        if (reused) return { connection: reused, reused: true };
        if (open < options.maxConnections) return openSession();
        const handed = await new Promise<PooledSession | undefined>((resolve) => waiting.push(resolve));
        if (handed) return handed;
      }
    },
    release(connection, reusable) {
      if (reusable && options.pool && !closed) {
        const waiter = waiting.shift();
        if (waiter) waiter({ connection, reused: true });
        else idle.push(connection);
        return;
      }
      if (reusable) connection.quit();
      else connection.close();
      releaseSlot();
    },
    async close() {
      closed = true;
      for (const connection of idle.splice(0)) {
        connection.quit();
        releaseSlot();
      }
    },
  };
}

function connect(target: NextHopTarget): Promise<SMTPConnection> {
  const connection = new SMTPConnection({
    host: target.host,
    port: target.port,
    secure: target.secure,
    name: hostname(),
    opportunisticTLS: !target.tls.require,
    requireTLS: target.tls.require,
    // A certificate that does not verify ends the session (the client is answered 451) unless the operator opted
    // out with verify: false for an internal relay (RFC 7435 opportunistic security).
    tls: { rejectUnauthorized: target.tls.verify, ...(target.tls.ca ? { ca: target.tls.ca } : {}) },
    connectionTimeout: target.timeoutMs,
    greetingTimeout: target.timeoutMs,
    socketTimeout: target.timeoutMs,
    socketCloseTimeout: target.timeoutMs,
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      if (error) {
        // A session that failed at login (or later in setting up) is still open; it would linger until the next hop's timeout.
        connection.close();
        reject(error);
      } else resolve(connection);
    };
    // Errors after the handshake reach the send in flight through its callback; this listener keeps
    // them from being thrown as unhandled 'error' events.
    connection.on('error', (error: Error) => settle(error));
    connection.once('end', () => settle(Object.assign(new Error('the next hop closed the connection'), { code: 'ECONNECTION' })));
    connection.connect((error) => {
      if (error || !target.auth) return settle(error);
      // A copy: nodemailer writes its own fields into the object it is given.
      const { user, pass } = target.auth;
      connection.login({ user, pass }, (loginError) => settle(loginError ? credentialsRefused(loginError) : undefined));
    });
  });
}

/**
 * Refused credentials are the gateway's configuration fault, not the message's: the error loses the next
 * hop's 535 so the client is told 451 and keeps the message until the credentials are mended.
 */
function credentialsRefused(cause: Error): Error {
  return Object.assign(new Error("the next hop refused the gateway's credentials", { cause }), { code: 'EAUTH' });
}
