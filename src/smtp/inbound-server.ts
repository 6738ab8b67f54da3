import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerDataStream, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { createAddressAllowList, type AddressAllowList } from './address-allow-list.js';
import { AuthFailureLimit, type AuthFailureLimitOptions } from './auth-failure-limit.js';
import { ConcurrencyLimit, ConcurrencyLimitFull } from './concurrency-limit.js';
import { PASSWORD_COST, verifyPassword } from './password-hash.js';
import { checkRecipient, checkSender, senderMatches } from './relay-checks.js';
import { replyAsError, SmtpRefusal, type RefusalCode } from './smtp-replies.js';
import { removeSpoolFile, spoolMessage } from './spool-file.js';
import type { MessageHandler, SmtpReply, SpooledContent, SpooledMessage } from './spooled-message.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

export interface InboundOptions {
  /** Address to listen on. */
  host: string;
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  /** CIDR ranges (IPv4 and IPv6) allowed to relay; others get 554 at connect unless `auth` is set. */
  allow: readonly string[];
  /**
   * MAIL FROM must be at one of these domains or a subdomain of one; the null sender <> is refused.
   * `'any'` takes every sender domain: trial mode on the embedded defaults, where only loopback may relay.
   */
  senderDomains: readonly string[] | 'any';
  /**
   * Schools that name the networks their mail comes from: MAIL FROM at one of `domains` (or a subdomain) from
   * a client outside `allow` is refused, unless the client logged in (its login is bound to its senders).
   */
  senderNetworks?: readonly { readonly domains: readonly string[]; readonly allow: readonly string[] }[];
  /** Largest message accepted, in bytes; advertised as SIZE (RFC 1870). Once DATA exceeds it the client gets 552 at once and is disconnected. */
  maxMessageBytes: number;
  /** Most recipients per transaction; the next one gets 452 4.5.3 (RFC 5321 section 4.5.3.1.10). */
  maxRecipients: number;
  /** Most connections at once; the next one gets 421. */
  maxClients: number;
  /** Most connections at once from one client address; the next one gets 421. */
  maxConnectionsPerIp: number;
  /** Idle time after which a client that owes us input gets 421 and is disconnected. */
  socketTimeoutMs: number;
  /** Certificate for STARTTLS (TLS 1.2 or later, forward-secret AEAD ciphers only); `ca` verifies client certificates. Without it STARTTLS is not offered. */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer | undefined } | undefined;
  /** Refuse MAIL FROM with 530 until the client has issued STARTTLS. */
  requireTls: boolean;
  /**
   * SMTP AUTH PLAIN/LOGIN, over TLS only: username → its login (see password-hash.ts). When set, clients
   * outside `allow` may connect, but relay only once authenticated: allow-list OR AUTH.
   */
  auth?:
    | {
        users: ReadonlyMap<string, SmtpLogin>;
        failureLimit?: AuthFailureLimitOptions;
        /**
         * Bounds the password hashes at once; the gateway passes the one its review app uses, so together they stay
         * within `limits.passwordHashes`. An attempt that finds every turn taken gets 454 and costs no hash.
         */
        passwordHashes?: ConcurrencyLimit;
      }
    | undefined;
  /** Ask for a client certificate during STARTTLS and refuse MAIL FROM without a verified one (checked against `tls.ca`). */
  requireClientCertificate?: boolean;
  /**
   * Expect a HAProxy PROXY protocol v1 header from the TCP load balancers in `trustedProxies` (CIDR ranges); the
   * allow-list then sees the client the header names. The header is not authenticated, so any other peer is
   * refused before the greeting: believed, it could claim an allowed address. Absent: no PROXY header is read.
   */
  proxyProtocol?: { readonly trustedProxies: readonly string[] } | undefined;
  /** Where message data is spooled; created if missing. Each file is removed once the handler has answered. */
  spoolDirectory: string;
  /** Messages up to this size are held in memory and never written to the spool (default 1 MiB, spool-file.ts). */
  keepInMemoryBytes?: number;
  /** Text after the host name in the 220 greeting. */
  banner?: string;
  /**
   * Told of errors no SMTP reply can carry (failed TLS handshakes, connection resets), for the
   * caller's log. They never stop the server; without this they are dropped.
   */
  onError?: ((error: Error) => void) | undefined;
  /**
   * Told of every refusal this server answers, for the caller's log and metrics: before DATA and after it, and a
   * peer that is not a trusted proxy, refused before its session began.
   */
  onRefusal?: ((refusal: RefusalReport) => void) | undefined;
}

/** One SMTP AUTH login: its password hash and, like Postfix's `smtpd_sender_login_maps`, whom it may send as. */
export interface SmtpLogin {
  /** An scrypt hash from `hallmonitor smtp-password`. */
  readonly passwordHash: string;
  /** Addresses (`office@school.sch.uk`) and domains (`school.sch.uk`, subdomains included) it may use in MAIL FROM. */
  readonly senders: readonly string[] | 'any';
}

/** What an operator needs to see of a refusal: never an address or any content. */
export interface RefusalReport {
  readonly code: RefusalCode;
  /** The command it answered. */
  readonly stage: 'connect' | 'auth' | 'mail' | 'rcpt' | 'data';
  readonly client: string;
  /** Absent for a connection refused before smtp-server began a session for it. */
  readonly sessionId?: string;
}

export interface InboundServer {
  listen(): Promise<{ host: string; port: number }>;
  /** Stop accepting; messages in DATA finish; after `graceMs` the rest get 421 and are closed. */
  close(graceMs: number): Promise<void>;
}

/** The part of smtp-server's (untyped) connection object that `cutOff` uses. */
interface SmtpServerConnection {
  readonly session: SMTPServerSession;
  send(code: number, text: string, enhancedStatusContext: false): void;
  close(): void;
}

/** Options that cannot work together; raised when the server is built. */
export class InboundOptionsError extends HallmonitorError {
  readonly code = 'invalid-inbound-options';
  readonly disposition = 'configuration';

  constructor(message: string) {
    super(message);
    this.name = 'InboundOptionsError';
  }
}

// Mozilla's "intermediate" list: ECDHE key exchange with AEAD ciphers for TLS 1.2; TLS 1.3 suites are always on.
const MODERN_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

// Compared against when a username is unknown, at today's cost, so a guess costs the same time either way.
const UNKNOWN_USER_HASH = `scrypt$${PASSWORD_COST.N}$${PASSWORD_COST.r}$${PASSWORD_COST.p}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;

export function createInboundServer(options: InboundOptions, handleMessage: MessageHandler): InboundServer {
  validateOptions(options);
  const allowList = createAddressAllowList(options.allow);
  const connections = createConnectionCounter(options.maxConnectionsPerIp);
  const authFailures = new AuthFailureLimit(options.auth?.failureLimit);
  const passwordHashes = options.auth?.passwordHashes ?? new ConcurrencyLimit();
  const inFlight = new Set<Promise<void>>();
  const senderDomains = options.senderDomains === 'any' ? 'any' : options.senderDomains.map((domain) => domain.toLowerCase());
  const schoolNetworks = (options.senderNetworks ?? []).map((school) => ({ domains: school.domains, from: createAddressAllowList(school.allow) }));
  /** A sender of a school that names its networks must come from one of them. */
  const fromOwnNetwork = (address: string, client: string): boolean => schoolNetworks.every((school) => !senderMatches(address, school.domains) || school.from(client));

  const server = new SMTPServer({
    ...tlsOptions(options),
    banner: options.banner,
    size: options.maxMessageBytes,
    maxClients: options.maxClients,
    socketTimeout: options.socketTimeoutMs,
    // Only trusted proxies reach smtp-server at all (refuseUntrustedPeers below), so every peer it sees sends the header.
    useProxy: options.proxyProtocol !== undefined,
    // The client's own EHLO name is enough for logs; a PTR lookup costs up to 1.5 s per connection.
    disableReverseLookup: true,
    greetingDelay: greetingDelayFor(allowList),
    disabledCommands: [...(options.tls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
    authMethods: ['PLAIN', 'LOGIN'],
    // Whether a client may relay is decided at MAIL FROM (allow-list OR authenticated), not by smtp-server.
    authOptional: true,
    logger: false,
    onConnect(session, callback) {
      if (!options.auth && !allowList(session.remoteAddress)) return callback(refused('client-not-allowed', 'connect', session));
      if (!connections.open(session)) return callback(refused('too-many-connections-from-ip', 'connect', session));
      callback();
    },
    onClose(session) {
      connections.close(session);
    },
    onAuth(auth, session, callback) {
      const address = session.remoteAddress;
      if (authFailures.throttled(address, Date.now())) return callback(refused('authentication-throttled', 'auth', session));
      passwordHashes
        .run(() => authenticate(auth, options.auth?.users))
        .then(
          (user) => {
            if (user !== undefined) return callback(null, { user });
            authFailures.failed(address, Date.now());
            callback(refused('authentication-failed', 'auth', session));
          },
          // Turned away unchecked, so not counted as a failure: the client may simply try again.
          (error: unknown) => callback(refused(error instanceof ConcurrencyLimitFull ? 'authentication-busy' : 'internal-fault', 'auth', session)),
        );
    },
    onMailFrom(address, session, callback) {
      const code = senderRefusal(address.address, session);
      callback(code === undefined ? null : refused(code, 'mail', session));
    },
    onRcptTo(address, session, callback) {
      const code = recipientRefusal(address.address, session);
      callback(code === undefined ? null : refused(code, 'rcpt', session));
    },
    onData(stream, session, callback) {
      const work = receive(stream, session).then((reply) => callback(reply.code < 300 ? null : replyAsError(reply), reply.message));
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    },
  } satisfies SMTPServerOptions);
  // An 'error' event without a listener would throw and end the process. smtp-server emits a failed STARTTLS
  // handshake's error twice (the TLS socket's 'error' and '_tlsError' both carry it): each is reported once.
  const reported = new WeakSet<Error>();
  server.on('error', (error) => {
    if (reported.has(error)) return;
    reported.add(error);
    options.onError?.(error);
  });
  if (options.proxyProtocol) refuseUntrustedPeers(server, createAddressAllowList(options.proxyProtocol.trustedProxies), options.onRefusal);

  /** The refusal as smtp-server sends it, reported to the caller first. */
  function refused(code: RefusalCode, stage: RefusalReport['stage'], session: SMTPServerSession): SmtpRefusal {
    options.onRefusal?.({ code, stage, client: session.remoteAddress, sessionId: session.id });
    return new SmtpRefusal(code);
  }

  function senderRefusal(address: string, session: SMTPServerSession): RefusalCode | undefined {
    if (options.requireTls && !session.secure) return 'tls-required';
    if (options.requireClientCertificate && !session.secure) return 'client-certificate-required';
    const login = typeof session.user === 'string' ? options.auth?.users.get(session.user) : undefined;
    if (!allowList(session.remoteAddress) && login === undefined) return 'relay-not-permitted';
    if (login !== undefined && address !== '' && !senderMatches(address, login.senders)) return 'sender-login-mismatch';
    if (login === undefined && address !== '' && !fromOwnNetwork(address, session.remoteAddress)) return 'sender-network-mismatch';
    return checkSender(address, senderDomains);
  }

  function recipientRefusal(address: string, session: SMTPServerSession): RefusalCode | undefined {
    const lower = address.toLowerCase();
    const recipients = session.envelope.rcptTo;
    const repeated = recipients.some((recipient) => recipient.address.toLowerCase() === lower);
    if (!repeated && recipients.length >= options.maxRecipients) return 'too-many-recipients';
    return checkRecipient(address);
  }

  /**
   * Spools the data, asks the handler, and removes the spool file if there is one; any fault answers 451.
   * `spoolMessage` removes its own file when it refuses or fails, so only a message it stored on disk leaves
   * one (a message held in memory has none: no `unlink` to make).
   */
  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<SmtpReply> {
    const id = randomUUID();
    const path = join(options.spoolDirectory, `${id}.eml`);
    let stored: string | undefined;
    try {
      const outcome = await spoolMessage(stream, path, options.maxMessageBytes, {
        onTooBig: () => cutOff(session),
        ...(options.keepInMemoryBytes !== undefined ? { keepInMemoryBytes: options.keepInMemoryBytes } : {}),
      });
      if (outcome.kind === 'too-big') return refusalReply(refused('message-too-big', 'data', session));
      if (outcome.kind === 'bare-line-ending') return refusalReply(refused('bare-line-ending', 'data', session));
      stored = outcome.path;
      const reply = await handleMessage(spooledMessage(id, outcome, session));
      return isValidReply(reply) ? reply : refusalReply(refused('internal-fault', 'data', session));
    } catch {
      return refusalReply(refused('internal-fault', 'data', session));
    } finally {
      if (stored !== undefined) await removeSpoolFile(stored).catch(() => undefined);
    }
  }

  /**
   * A client still sending past the size limit gets 552 at once and is disconnected, rather than
   * being read to its final dot, which an endless stream never sends. smtp-server replies only
   * after the final dot, so this speaks for it on its own connection object.
   */
  function cutOff(session: SMTPServerSession): void {
    const refusal = new SmtpRefusal('message-too-big');
    const connection = [...(server.connections as Set<SmtpServerConnection>)].find((candidate) => candidate.session === session);
    connection?.send(refusal.responseCode, refusal.message, false);
    connection?.close();
  }

  return {
    async listen() {
      await mkdir(options.spoolDirectory, { recursive: true, mode: 0o700 });
      await new Promise<void>((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.server.off('error', reject);
          resolve();
        });
      });
      const address = server.server.address() as AddressInfo;
      return { host: address.address, port: address.port };
    },
    async close(graceMs) {
      const deadline = Date.now() + graceMs;
      server.options.closeTimeout = Math.max(graceMs, 1);
      await new Promise<void>((resolve) => server.close(resolve));
      // A handler may still be talking to the next hop for a client that already got 421.
      await Promise.race([Promise.allSettled([...inFlight]), delay(Math.max(deadline - Date.now(), 0))]);
    },
  };
}

/** smtp-server's own wait before the greeting (smtp-connection.js, `init`). */
const EARLY_TALKER_WAIT_MS = 100;

/**
 * smtp-server waits before its 220 greeting so that a client that talks before it is caught with
 * 421: the session opens with the server's greeting (RFC 5321 section 3.1), and spam bots that
 * do not wait for it give themselves away. The sending service on
 * the allow-list is not such a client, and Exchange Online opens a new connection for many messages:
 * the wait would be added to each. `greetingDelay` is our patch to smtp-server (patches/README.md);
 * with the PROXY protocol it is given the client's address from the header.
 */
export function greetingDelayFor(allowList: AddressAllowList): (remoteAddress: string) => number {
  return (remoteAddress) => (allowList(remoteAddress) ? 0 : EARLY_TALKER_WAIT_MS);
}

/** How long a refused peer's socket stays open for the refusal to reach it, as smtp-server does for a bad PROXY header. */
const REFUSAL_LINGER_MS = 1000;

/**
 * Puts a gate before smtp-server's own 'connection' listener: a peer outside `trustedProxies` gets 554 and is
 * closed before smtp-server reads a byte, so its PROXY header is never parsed. smtp-server's `useProxy` takes
 * exact addresses only, and treats an unlisted peer as a direct client instead of refusing it.
 */
function refuseUntrustedPeers(server: SMTPServer, trusted: AddressAllowList, onRefusal: InboundOptions['onRefusal']): void {
  const accept = server.server.listeners('connection');
  server.server.removeAllListeners('connection');
  server.server.on('connection', (socket: Socket) => {
    if (trusted(socket.remoteAddress ?? '')) {
      for (const listener of accept) listener.call(server.server, socket);
      return;
    }
    const refusal = new SmtpRefusal('untrusted-proxy-peer');
    onRefusal?.({ code: refusal.code, stage: 'connect', client: socket.remoteAddress ?? '' });
    socket.on('error', () => undefined);
    socket.end(`${refusal.responseCode} ${refusal.message}\r\n`);
    setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS).unref();
  });
}

function validateOptions(options: InboundOptions): void {
  if (options.proxyProtocol?.trustedProxies.length === 0) {
    throw new InboundOptionsError('proxyProtocol.trustedProxies is empty: a PROXY header would be believed from no one, so no client could connect');
  }
  if (options.requireTls && !options.tls) throw new InboundOptionsError('requireTls needs a TLS certificate (tls.key and tls.cert)');
  if (options.auth && !options.tls) throw new InboundOptionsError('SMTP AUTH is offered over TLS only; configure tls.key and tls.cert');
  if (options.requireClientCertificate && !options.tls) throw new InboundOptionsError('requireClientCertificate needs TLS (tls.key, tls.cert and tls.ca)');
  if (options.senderDomains.length === 0) throw new InboundOptionsError('senderDomains is empty, so no sender could ever relay');
  for (const [name, value] of Object.entries({
    maxMessageBytes: options.maxMessageBytes,
    maxRecipients: options.maxRecipients,
    maxClients: options.maxClients,
    maxConnectionsPerIp: options.maxConnectionsPerIp,
    socketTimeoutMs: options.socketTimeoutMs,
  })) {
    if (!Number.isSafeInteger(value) || value < 1) throw new InboundOptionsError(`${name} must be a positive whole number`);
  }
}

function tlsOptions(options: InboundOptions): Partial<SMTPServerOptions> {
  if (!options.tls) return {};
  return {
    key: options.tls.key,
    cert: options.tls.cert,
    ca: options.tls.ca,
    minVersion: 'TLSv1.2',
    ciphers: MODERN_CIPHERS,
    honorCipherOrder: true,
    requestCert: options.requireClientCertificate === true,
    rejectUnauthorized: options.requireClientCertificate === true,
  };
}

async function authenticate(auth: SMTPServerAuthentication, users: ReadonlyMap<string, SmtpLogin> | undefined): Promise<string | undefined> {
  const username = (auth.username ?? '').toLowerCase();
  const stored = users?.get(username);
  const matches = await verifyPassword(auth.password ?? '', stored?.passwordHash ?? UNKNOWN_USER_HASH);
  return matches && stored !== undefined ? username : undefined;
}

function spooledMessage(id: string, stored: { sizeBytes: number } & SpooledContent, session: SMTPServerSession): SpooledMessage {
  const { mailFrom, rcptTo } = session.envelope;
  return {
    id,
    ...(stored.bytes !== undefined ? { bytes: stored.bytes } : { path: stored.path }),
    sizeBytes: stored.sizeBytes,
    // As the client gave them: a relay keeps local parts as they are (RFC 5321 §2.4); scanning and the
    // policy compare them without case (scan-message.ts), delivery uses them unchanged.
    envelope: {
      mailFrom: mailFrom === false ? '' : mailFrom.address,
      rcptTo: rcptTo.map((recipient) => recipient.address),
    },
    client: {
      address: session.remoteAddress,
      hostname: typeof session.hostNameAppearsAs === 'string' ? session.hostNameAppearsAs : '',
      secure: session.secure,
      user: typeof session.user === 'string' ? session.user : undefined,
    },
  };
}

function refusalReply(refusal: SmtpRefusal): SmtpReply {
  return { code: refusal.responseCode, message: refusal.message };
}

// Only a real SMTP code reaches the client; anything else from the handler is a fault (451).
function isValidReply(reply: SmtpReply): boolean {
  return Number.isInteger(reply.code) && ((reply.code >= 250 && reply.code < 260) || (reply.code >= 400 && reply.code < 600));
}

/** Counts open connections per client address, releasing each session once. */
function createConnectionCounter(maxPerAddress: number) {
  const perAddress = new Map<string, number>();
  const counted = new Map<string, string>();
  return {
    open(session: SMTPServerSession): boolean {
      const open = perAddress.get(session.remoteAddress) ?? 0;
      if (open >= maxPerAddress) return false;
      perAddress.set(session.remoteAddress, open + 1);
      counted.set(session.id, session.remoteAddress);
      return true;
    },
    close(session: SMTPServerSession): void {
      const address = counted.get(session.id);
      if (address === undefined) return;
      counted.delete(session.id);
      const open = (perAddress.get(address) ?? 1) - 1;
      if (open > 0) perAddress.set(address, open);
      else perAddress.delete(address);
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
