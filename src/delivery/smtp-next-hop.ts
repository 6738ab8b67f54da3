import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import { contentOf } from '../smtp/spooled-message.js';
import { connectionPool, type ConnectionPool, type NextHopTarget, type NextHopTls, type PooledSession } from './connection-pool.js';
import { DeliveryError } from './delivery-error.js';
import type { DeliveryResult, NextHop, Outbound } from './next-hop.js';
import { acceptedReply, failureReply, refusedRecipientsReply, type NextHopFailure, type RecipientRefusal } from './next-hop-reply.js';
import { GatedMessageStream, RecipientsRefused } from './gated-message-stream.js';

export interface SmtpNextHopOptions {
  /** Keep sessions open between messages (default true): a new session per message costs round trips. */
  readonly pool?: boolean;
  /** Most sessions open at once to the next hop (default 5). */
  readonly maxConnections?: number;
  /** How long to wait for a connection, the greeting, or any reply (default 30 s). */
  readonly timeoutMs?: number;
  /** Default: STARTTLS when offered, and then a certificate that verifies against the system's roots. */
  readonly tls?: NextHopTls;
  readonly auth?: { readonly user: string; readonly pass: string };
}

const VERIFIED_WHEN_OFFERED: NextHopTls = { require: false, verify: true };
const DEFAULTS = { pool: true, maxConnections: 5, timeoutMs: 30_000 } as const;
const PORTS: Record<string, number> = { 'smtp:': 25, 'smtps:': 465 };

/** Relays the spooled bytes unchanged, with the original envelope, to the SMTP server at `url`. */
export function smtpNextHop(url: string, options: SmtpNextHopOptions = {}): NextHop {
  const target: NextHopTarget = {
    ...parseNextHopUrl(url, options.timeoutMs ?? DEFAULTS.timeoutMs),
    tls: options.tls ?? VERIFIED_WHEN_OFFERED,
    ...(options.auth ? { auth: options.auth } : {}),
  };
  const pool = connectionPool(target, {
    pool: options.pool ?? DEFAULTS.pool,
    maxConnections: options.maxConnections ?? DEFAULTS.maxConnections,
  });
  return {
    description: `${target.secure ? 'smtps' : 'smtp'}://${target.host}:${target.port}`,
    deliver: (message, prepend) => deliverAllOrNothing(pool, message, prepend),
    async probe() {
      const { connection } = await pool.acquire();
      pool.release(connection, true);
    },
    close: () => pool.close(),
  };
}

function parseNextHopUrl(url: string, timeoutMs: number): Omit<NextHopTarget, 'tls' | 'auth'> {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  const defaultPort = parsed ? PORTS[parsed.protocol] : undefined;
  if (!parsed || defaultPort === undefined || parsed.hostname === '') {
    throw new DeliveryError('next-hop-url', 'the next hop must be smtp://HOST[:PORT] or smtps://HOST[:PORT]');
  }
  if (parsed.username !== '' || parsed.password !== '' || (parsed.pathname !== '' && parsed.pathname !== '/')) {
    throw new DeliveryError('next-hop-url', 'the next hop URL takes a host and port only');
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? defaultPort : Number(parsed.port),
    secure: parsed.protocol === 'smtps:',
    timeoutMs,
  };
}

/**
 * A session reused from the pool may have been closed by the next hop while idle. When it fails before
 * any of the message went out, the next hop cannot have taken it, so one retry on a new session is safe.
 */
async function deliverAllOrNothing(pool: ConnectionPool, message: Outbound, prepend?: Buffer): Promise<DeliveryResult> {
  const first = await attempt(pool, message, prepend);
  return first.retrySafely ? (await attempt(pool, message, prepend)).result : first.result;
}

interface Attempt {
  readonly result: DeliveryResult;
  /** True when a pooled session failed before DATA: nothing reached the next hop. */
  readonly retrySafely: boolean;
}

async function attempt(pool: ConnectionPool, message: Outbound, prepend: Buffer | undefined): Promise<Attempt> {
  let session: PooledSession;
  try {
    session = await pool.acquire();
  } catch (error) {
    return { result: { reply: failureReply(asFailure(error)) }, retrySafely: false };
  }
  const { connection, reused } = session;
  const source = new GatedMessageStream(contentOf(message), () => refusedRecipients(connection), prepend);
  const outcome = await send(connection, message, source);
  pool.release(connection, outcome.sent);
  if (outcome.sent) return { result: { reply: acceptedReply(outcome.response) }, retrySafely: false };
  // nodemailer's error when it refused every recipient carries each refusal too.
  const refusals = outcome.error instanceof RecipientsRefused ? outcome.error.refusals : (refusalsIn(outcome.error) ?? []);
  if (refusals.length > 0) return { result: { reply: refusedRecipientsReply(refusals) }, retrySafely: false };
  const failure = asFailure(outcome.error);
  // 421 is the next hop closing the session (RFC 5321 §3.8), not a judgement on this message.
  const sessionLost = failure.responseCode === undefined || failure.responseCode === 421;
  return { result: { reply: failureReply(failure) }, retrySafely: reused && sessionLost && !source.started };
}

type SendOutcome = { readonly sent: true; readonly response: string } | { readonly sent: false; readonly error: unknown };

function send(connection: SMTPConnection, message: Outbound, source: GatedMessageStream): Promise<SendOutcome> {
  const envelope = {
    from: message.envelope.mailFrom,
    to: [...message.envelope.rcptTo],
    size: message.sizeBytes,
    // The client's BODY= parameter is not kept in the spool; 8BITMIME is a superset of 7BIT (RFC 6152).
    use8BitMime: true,
  };
  return new Promise((resolve) => {
    connection.send(envelope, source, (error, info) => {
      if (error) resolve({ sent: false, error: source.refusal ?? error });
      else resolve({ sent: true, response: info.response });
    });
  });
}

/**
 * nodemailer sends DATA as soon as one recipient is accepted (with PIPELINING, in the same batch as RCPT TO),
 * and has no public hook between the RCPT replies and the message. It keeps them on the session's envelope,
 * which is complete by the time the message is first read; if its shape is not what we expect we fail closed.
 */
function refusedRecipients(connection: SMTPConnection): readonly RecipientRefusal[] | 'unknown' {
  return refusalsIn(Reflect.get(connection, '_envelope')) ?? 'unknown';
}

/** The per-recipient refusals nodemailer keeps as `rejectedErrors`, on the session's envelope and on its errors. */
function refusalsIn(holder: unknown): readonly RecipientRefusal[] | undefined {
  const rejectedErrors: unknown = fieldOf(holder, 'rejectedErrors');
  if (!Array.isArray(rejectedErrors)) return undefined;
  return rejectedErrors.map((rejected: unknown) => {
    const recipient = fieldOf(rejected, 'recipient');
    const { responseCode, response } = asFailure(rejected);
    return { recipient: typeof recipient === 'string' ? recipient : '', responseCode, response };
  });
}

function fieldOf(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;
}

function asFailure(error: unknown): NextHopFailure {
  const code = fieldOf(error, 'code');
  const responseCode = fieldOf(error, 'responseCode');
  const response = fieldOf(error, 'response');
  return {
    code: typeof code === 'string' ? code : undefined,
    responseCode: typeof responseCode === 'number' ? responseCode : undefined,
    response: typeof response === 'string' ? response : undefined,
  };
}
