import { isIP } from 'node:net';
import { z } from 'zod';

/** `host:port`, with IPv6 hosts in brackets: `127.0.0.1:2525`, `[::1]:2525`. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export function parseHostPort(text: string): HostPort | undefined {
  const match = /^(?:\[(?<ipv6>[0-9a-f:.]+)\]|(?<host>[^:[\]]+)):(?<port>\d{1,5})$/i.exec(text.trim());
  const port = Number(match?.groups?.port);
  if (!match || port > 65535) return undefined;
  return { host: match.groups?.ipv6 ?? match.groups?.host ?? '', port };
}

export const hostPortSchema = z.string().transform((text, context) => {
  const parsed = parseHostPort(text);
  if (!parsed) context.addIssue({ code: 'custom', message: 'expected HOST:PORT, e.g. 127.0.0.1:2525 or [::1]:2525' });
  return parsed ?? { host: '', port: 0 };
});

/** An IPv4 or IPv6 network in CIDR form; a bare address means that one host. */
export const cidrSchema = z.string().refine((text) => {
  const [address = '', bits, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return /^\d+$/.test(bits) && prefix <= (family === 4 ? 32 : 128);
}, 'expected an address or network such as 192.0.2.0/24 or 2001:db8::/32');

const smtpUrlSchema = z.string().regex(/^smtps?:\/\/[^/\s]+(:\d+)?\/?$/, 'expected smtp://HOST:PORT or smtps://HOST:PORT');

/** Every default of the gateway, in one place (CONTRACTS.md §3). */
export const GATEWAY_DEFAULTS = {
  listen: '127.0.0.1:2525',
  allow: ['127.0.0.1/32', '::1/128'],
  data: './data',
  web: '127.0.0.1:8080',
  redis: 'redis://127.0.0.1:6379',
  maxMessageBytes: 50 * 1024 * 1024,
  maxRecipients: 100,
  maxClients: 200,
  maxConnectionsPerIp: 50,
  socketTimeoutSeconds: 60,
  shutdownGraceSeconds: 30,
  quarantineDays: 30,
  auditDays: 365,
  digestSchedule: '0 7 * * *',
  digestTimezone: 'Europe/London',
  envelopeKdf: 'argon2',
} as const;

/** 32 bytes for AES-256-GCM, written as base64 (`openssl rand -base64 32`). */
const aesKeySchema = z.string().refine((text) => Buffer.from(text, 'base64').length === 32, 'expected 32 bytes in base64, e.g. from `openssl rand -base64 32`');

/** A mail address or a domain: pre-agreed passphrases apply to one partner address or to a whole agency's domain. */
const addressOrDomainSchema = z
  .string()
  .regex(/^([^@\s]+@)?[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'a mail address or a domain')
  .transform((text) => text.toLowerCase());

export const gatewayFields = {
  /** Where the SMTP server listens. */
  listen: hostPortSchema.prefault(GATEWAY_DEFAULTS.listen),
  /** The next hop for mail that may leave: Office 365's or LGfL's smart host. Absent: trial mode, mail goes to DATA/outbox. */
  nextHop: smtpUrlSchema.optional(),
  /**
   * The way to the next hop. Default: STARTTLS whenever offered, certificate unchecked (RFC 7435).
   * `require` refuses to send in clear; `verify` checks the certificate, against `ca` (a PEM file) when given.
   */
  nextHopTls: z
    .strictObject({ require: z.boolean().default(false), verify: z.boolean().default(false), ca: z.string().min(1).optional() })
    .prefault({}),
  /** SMTP AUTH at the next hop (e.g. smtp.office365.com:587), with `nextHopPassword` or `HALLMONITOR_NEXT_HOP_PASSWORD`. */
  nextHopUser: z.string().min(1).optional(),
  nextHopPassword: z.string().min(1).optional(),
  /** Networks allowed to relay through the gateway (the sending service's published ranges). */
  allow: z.array(cidrSchema).min(1).default([...GATEWAY_DEFAULTS.allow]),
  /** Quarantine, audit, keys, spool and the trial outbox live here. */
  data: z.string().min(1).default(GATEWAY_DEFAULTS.data),
  /** The web app (review, dashboard, /healthz, /metrics). */
  web: hostPortSchema.prefault(GATEWAY_DEFAULTS.web),
  /** Redis for the queues; when none answers, serve starts a private redis-server under DATA. */
  redis: z.string().regex(/^rediss?:\/\//, 'expected redis://HOST:PORT').default(GATEWAY_DEFAULTS.redis),
  /** STARTTLS certificate and key (PEM files); absent: a self-signed pair is made under DATA/tls. `ca` checks client certificates. */
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1).optional() }).optional(),
  /** Require a client certificate signed by `tls.ca` (e.g. Office 365's connector certificate chain). */
  requireClientCertificate: z.boolean().default(false),
  /**
   * Optional SMTP AUTH over TLS: login name → scrypt hash from `hallmonitor smtp-password`.
   * A client that authenticates may relay from outside `allow`.
   */
  smtpUsers: z.record(z.string().min(1), z.string().regex(/^scrypt\$/, 'a hash made by `hallmonitor smtp-password`')).optional(),
  /** Refuse mail until the client has used STARTTLS. */
  requireTls: z.boolean().default(false),
  /** Accept the HAProxy PROXY protocol from a TCP load balancer in front. */
  proxyProtocol: z.boolean().default(false),
  /** The From address of notices to senders; default postmaster@ the first school's domain. */
  postmaster: z.email().optional(),
  /**
   * PostgreSQL for quarantine and audit (`postgres://USER@HOST:5432/DB`), shared by several gateways;
   * absent: SQLite in DATA/hallmonitor.sqlite. `HALLMONITOR_DATABASE_URL` overrides it.
   */
  database: z.string().regex(/^postgres(ql)?:\/\//, 'expected postgres://USER@HOST:PORT/DATABASE').optional(),
  /**
   * The AES-256-GCM key quarantined mail is encrypted with at rest. Absent: DATA/keys/quarantine.key, made at first start
   * with mode 0600. `HALLMONITOR_QUARANTINE_KEY` overrides it; keep it out of files where you can.
   */
  quarantineKey: aesKeySchema.optional(),
  /** How long things are kept: quarantined bodies are destroyed after `quarantineDays`, audit entries after `auditDays`. */
  retention: z
    .strictObject({
      quarantineDays: z.number().int().positive().default(GATEWAY_DEFAULTS.quarantineDays),
      auditDays: z.number().int().positive().default(GATEWAY_DEFAULTS.auditDays),
    })
    .prefault({}),
  /** The review app's address as staff reach it, for links in alerts; default http:// the `web` address. */
  reviewUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** When the daily digest goes to the Business Manager, DPO and DSL (cron, in `timezone`). */
  digest: z
    .strictObject({
      schedule: z.string().min(9).default(GATEWAY_DEFAULTS.digestSchedule),
      timezone: z.string().min(1).default(GATEWAY_DEFAULTS.digestTimezone),
    })
    .prefault({}),
  /** Forced encryption (the `encrypt` verdict). */
  encryption: z
    .strictObject({
      /**
       * The password envelope's key derivation: `argon2` (memory-hard, RFC 9580; GnuPG 2.4+, Sequoia, the envelope's page)
       * or `iterated` (RFC 4880, for recipients whose OpenPGP tools are older, such as GnuPG 2.2).
       */
      envelopeKdf: z.enum(['argon2', 'iterated']).default(GATEWAY_DEFAULTS.envelopeKdf),
      /** Passphrases agreed in advance with partners (social care, other schools), by address or by domain. */
      passphrases: z.record(addressOrDomainSchema, z.string().min(12, 'at least 12 characters')).default({}),
      /** The gateway's own OpenPGP private key (armored file, unprotected) to sign PGP/MIME mail; optional. */
      signingKey: z.string().min(1).optional(),
    })
    .prefault({}),
  limits: z
    .strictObject({
      maxMessageBytes: z.number().int().positive().default(GATEWAY_DEFAULTS.maxMessageBytes),
      maxRecipients: z.number().int().positive().default(GATEWAY_DEFAULTS.maxRecipients),
      maxClients: z.number().int().positive().default(GATEWAY_DEFAULTS.maxClients),
      maxConnectionsPerIp: z.number().int().positive().default(GATEWAY_DEFAULTS.maxConnectionsPerIp),
      socketTimeoutSeconds: z.number().positive().default(GATEWAY_DEFAULTS.socketTimeoutSeconds),
      shutdownGraceSeconds: z.number().positive().default(GATEWAY_DEFAULTS.shutdownGraceSeconds),
    })
    .prefault({}),
};
