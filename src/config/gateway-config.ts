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

/** Hosts that never leave this machine: the only ones an OpenID issuer may be reached at over plain HTTP. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const smtpUrlSchema = z.string().regex(/^smtps?:\/\/[^/\s]+(:\d+)?\/?$/, 'expected smtp://HOST:PORT or smtps://HOST:PORT');

/** Every default of the gateway, in one place (docs/architecture.md, "hallmonitor serve"). */
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
  senderLinkHours: 72,
  digestSchedule: '0 7 * * *',
  digestTimezone: 'Europe/London',
  envelopeKdf: 'argon2',
  keylessForm: 'pdf',
  maxEncryptedMessageBytes: 35 * 1024 * 1024,
  /** Failed SMTP AUTH attempts per client address and from all together, per window (OWASP ASVS 2.2.1). */
  smtpAuthFailures: { perAddress: 5, total: 50, windowMinutes: 15 },
  /** Review-app sign-ins: tries per address and login a minute; failures per account (every address) per window. */
  signIn: { attemptsPerMinute: 5, accountFailures: 10, accountWindowMinutes: 15 },
  /** Password hashes (scrypt, 128 MiB each) at once in one process, sign-ins and SMTP AUTH together, and waiting. */
  passwordHashes: { running: 2, waiting: 32 },
  logLevel: 'info',
} as const;

/** pino's levels, most severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** 32 bytes for AES-256-GCM, written as base64 (`openssl rand -base64 32`). */
const aesKeySchema = z.string().refine((text) => Buffer.from(text, 'base64').length === 32, 'expected 32 bytes in base64, e.g. from `openssl rand -base64 32`');

const passwordHashSchema = z.string().regex(/^scrypt\$/, 'a hash made by `hallmonitor smtp-password`');

/** A mail address or a domain: pre-agreed passphrases apply to one partner address or to a whole agency's domain. */
const addressOrDomainSchema = z
  .string()
  .regex(/^([^@\s]+@)?[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'a mail address or a domain')
  .transform((text) => text.toLowerCase());

/** The forms a recipient without a usable OpenPGP key can get (docs/encryption.md). */
export const KEYLESS_FORMS = ['pdf', 'html'] as const;
export type KeylessForm = (typeof KEYLESS_FORMS)[number];

export const keylessFormSchema = z
  .enum(KEYLESS_FORMS)
  .describe(
    'pdf: an AES-256 encrypted PDF, opened with the passphrase in any PDF reader, attachments inside it. html: a web page that decrypts itself in the browser (OpenPGP inside).',
  );

/** A mail address or a domain → the form its keyless recipients get. */
export const keylessFormByRecipientSchema = z.record(addressOrDomainSchema, z.enum(KEYLESS_FORMS));

/**
 * The gateway's settings. Each field's description is its documentation: `docs/configuration.md` and the file
 * `hallmonitor init` writes are generated from them (config-reference.ts), so they cannot drift.
 */
export const gatewayFields = {
  listen: hostPortSchema.prefault(GATEWAY_DEFAULTS.listen).describe('Where the SMTP server listens, HOST:PORT.'),
  nextHop: smtpUrlSchema
    .optional()
    .describe('The onward relay for mail that may leave (smtp://HOST:PORT or smtps://HOST:PORT). Absent: trial mode, mail that would be delivered is written to DATA/outbox.'),
  nextHopTls: z
    .strictObject({
      require: z.boolean().default(false).describe('Never send to the next hop in clear: without TLS the client is answered 451.'),
      verify: z
        .boolean()
        .default(true)
        .describe(
          "Check the next hop's certificate chain and name, against `ca` or the system's roots: a certificate that does not verify answers the client 451. `false` is an explicit opt-out for an internal relay whose certificate no CA vouches for: STARTTLS whenever offered, unchecked (RFC 7435), and no `nextHopPassword`.",
        ),
      ca: z.string().min(1).optional().describe("A PEM file of the CA that signed the next hop's certificate, instead of the system's roots."),
    })
    .prefault({})
    .describe('The way to the next hop.'),
  nextHopUser: z.string().min(1).optional().describe('SMTP AUTH login at the next hop (e.g. smtp.office365.com:587).'),
  nextHopPassword: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Its password; a secret, better kept in the environment. Only over TLS that is required (nextHopTls.require or smtps://) and verified (nextHopTls.verify), else the gateway refuses to start.',
    ),
  allow: z
    .array(cidrSchema)
    .min(1)
    .default([...GATEWAY_DEFAULTS.allow])
    .describe("Networks allowed to relay through the gateway, in CIDR form: the sending service's published ranges."),
  allowAnyMicrosoft365Tenant: z
    .boolean()
    .default(false)
    .describe(
      "Let `allow` hold Exchange Online's ranges without every school naming its microsoft365TenantIds. Those ranges are shared by every Microsoft 365 tenant, so any of them could then relay as the school: only for a gateway that checks the tenant some other way (e.g. a connector certificate of the school's own).",
    ),
  data: z.string().min(1).default(GATEWAY_DEFAULTS.data).describe('The data folder: quarantine database, keys, spool, trial outbox.'),
  web: hostPortSchema.prefault(GATEWAY_DEFAULTS.web).describe('Where the web app listens (review app, dashboard, /healthz, /metrics), HOST:PORT.'),
  workerMetrics: hostPortSchema
    .optional()
    .describe(
      "Where `hallmonitor worker` serves /metrics (Prometheus text: jobs refused and failed, the process's memory and event loop) and /healthz, HOST:PORT; behind metricsToken when it is set, as serve's are. Keep it on a private network or loopback. Absent: the worker serves none (`worker --metrics HOST:PORT` sets it for one process). serve's metrics are on `web`.",
    ),
  webTrustProxy: z
    .array(cidrSchema)
    .default([])
    .describe(
      "The TLS proxy (or proxies) in front of the web app, in CIDR form: only from these is X-Forwarded-For believed, so the sign-in limiter and the log see the real client's address. Empty (the default): the peer's own address, which behind a proxy is the proxy's, so every client would share one limit.",
    ),
  metricsToken: z
    .string()
    .min(32, 'at least 32 characters, e.g. from `openssl rand -hex 32`')
    .optional()
    .describe(
      'A secret bearer token for /metrics: Prometheus sends `Authorization: Bearer TOKEN` (its `authorization: { credentials_file: … }`). Set it whenever the web port is reachable from beyond this host; better kept in HALLMONITOR_METRICS_TOKEN. Without it /metrics answers anyone who reaches the web port (it holds counts, never content).',
    ),
  redis: z
    .string()
    .regex(/^rediss?:\/\//, 'expected redis://HOST:PORT')
    .default(GATEWAY_DEFAULTS.redis)
    .describe(
      'Redis for the queues (alerts, notices, releases): `redis://[USER:PASSWORD@]HOST:PORT`, or `rediss://…` for TLS (the certificate is verified against `redisTls.ca`, or else the system CAs and NODE_EXTRA_CA_CERTS). A URL with a password is a secret: better in HALLMONITOR_REDIS_URL. When none answers, serve starts a private redis-server under DATA with a password of its own; one that refuses the credentials stops the start.',
    ),
  redisTls: z
    .strictObject({
      ca: z.string().min(1).optional().describe("A PEM file of the CA that signed Redis's certificate, instead of Node's roots: a private CA's certificate."),
      cert: z.string().min(1).optional().describe('A client certificate (PEM file) for a Redis that asks for one (`tls-auth-clients yes`).'),
      key: z.string().min(1).optional().describe("The client certificate's private key, a PEM file; a secret, readable only by the gateway's user."),
    })
    .refine((files) => (files.cert === undefined) === (files.key === undefined), 'cert and key go together')
    .optional()
    .describe(
      'TLS to Redis, with a `rediss://` URL (refused with `redis://`): every connection to Redis (the queues, the workers, the readiness probe, `hallmonitor worker` and the CLI) uses it. A certificate that does not verify against `ca` stops the start; never a fall-back to a private Redis.',
    ),
  redisPrefix: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case words joined by hyphens')
    .default('hallmonitor')
    .describe('The prefix of every queue key in Redis; gateways and workers that share one deployment share it.'),
  queueWorkers: z
    .boolean()
    .default(true)
    .describe(
      'Run the queue workers (alerts, notices, releases, retention, the digest) inside serve. Off: `hallmonitor worker` processes sharing this Redis do that work, and serve only scans and relays.',
    ),
  logLevel: z
    .enum(LOG_LEVELS)
    .default(GATEWAY_DEFAULTS.logLevel)
    .describe(
      'The least severe log lines serve and worker write: fatal, error, warn, info, debug, trace or silent. HALLMONITOR_LOG_LEVEL and --log-level set it for one run. Lines are JSON, one per line, unless the output is a terminal, where they are written for people to read.',
    ),
  reloadOnFileChange: z
    .boolean()
    .default(true)
    .describe(
      "Reload the schools' rosters and rules when their files change (once they have been quiet for a second), as SIGHUP does; a bad file is refused and the old one stays. Off: only SIGHUP reloads.",
    ),
  tls: z
    .strictObject({
      cert: z.string().min(1).describe('The certificate chain, a PEM file.'),
      key: z.string().min(1).describe('Its private key, a PEM file.'),
      ca: z.string().min(1).optional().describe('CA certificates that sign accepted client certificates, a PEM file.'),
    })
    .optional()
    .describe('The STARTTLS certificate. Absent: a self-signed pair is made under DATA/tls (trial use only).'),
  requireClientCertificate: z.boolean().default(false).describe("Require a client certificate signed by tls.ca (e.g. Office 365's connector certificate chain)."),
  smtpUsers: z
    .record(
      z.string().min(1),
      z.union([
        passwordHashSchema.transform((passwordHash) => ({ passwordHash, senders: 'any' as const })),
        z
          .strictObject({
            password: passwordHashSchema.describe('The hash from `hallmonitor smtp-password --password-stdin`.'),
            senders: z.array(addressOrDomainSchema).min(1).describe('The addresses and domains (subdomains included) this login may use in MAIL FROM.'),
          })
          .transform(({ password, senders }) => ({ passwordHash: password, senders })),
      ]),
    )
    .optional()
    .describe(
      "SMTP AUTH over TLS: login name → hash from `hallmonitor smtp-password --password-stdin`, or { password, senders } to bind the login to the senders it may use (Postfix's smtpd_sender_login_maps; another sender gets 553 5.7.1). A client that logs in may relay from outside `allow`.",
    ),
  requireTls: z.boolean().default(false).describe('Refuse mail until the client has used STARTTLS.'),
  proxyProtocol: z
    .strictObject(
      {
        trustedProxies: z
          .array(cidrSchema)
          .min(1, 'name the load balancers: a PROXY header is believed only from these addresses')
          .describe(
            "The load balancers' addresses, in CIDR form. A PROXY header is believed only from them; any other peer is refused with 554 before the greeting, since its header could claim an allowed address.",
          ),
      },
      {
        error: (issue) => (issue.code === 'invalid_type' ? 'expected { trustedProxies: [CIDR, ...] }: a PROXY header is believed only from the load balancers listed' : undefined),
      },
    )
    .optional()
    .describe('Read the HAProxy PROXY protocol v1 header from the TCP load balancers in front, so `allow` judges the client it names. Absent: off, no header is read.'),
  postmaster: z.email().optional().describe("The From address of notices and alerts. Default: postmaster@ the first school's first domain."),
  database: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected postgres://USER@HOST:PORT/DATABASE')
    .optional()
    .describe('PostgreSQL for quarantine and audit, shared by several gateways (postgres://USER@HOST:5432/DB). Absent: SQLite in DATA/hallmonitor.sqlite.'),
  quarantineKey: aesKeySchema
    .optional()
    .describe(
      'The AES-256-GCM key (32 bytes, base64) quarantined mail is encrypted with at rest. Absent: DATA/keys/quarantine.key, made at first start with mode 0600; a secret, better kept in the environment.',
    ),
  quarantineKeyVersion: z
    .number()
    .int()
    .min(1)
    .max(255)
    .default(1)
    .describe('The version of quarantineKey; raise it when the key changes (docs/rotation.md), keeping the old key under retiredQuarantineKeys.'),
  retiredQuarantineKeys: z
    .array(
      z.strictObject({
        version: z.number().int().min(1).max(255).describe('The version the key had.'),
        key: aesKeySchema.describe('The retired key, 32 bytes in base64.'),
      }),
    )
    .default([])
    .describe('Earlier quarantine keys, kept only to open what they sealed until retention destroys it: a list of { version, key }.'),
  retention: z
    .strictObject({
      quarantineDays: z.number().int().positive().default(GATEWAY_DEFAULTS.quarantineDays).describe('Quarantined messages are destroyed after this many days.'),
      auditDays: z.number().int().positive().default(GATEWAY_DEFAULTS.auditDays).describe('Audit entries (metadata only) are kept this many days.'),
      senderLinkHours: z
        .number()
        .int()
        .min(1)
        .max(720)
        .default(GATEWAY_DEFAULTS.senderLinkHours)
        .describe(
          "How long the link in a sender's notice works (send a returned message as it was, or ask for a held one's release); a returned message's sealed copy is destroyed when it stops.",
        ),
    })
    .prefault({})
    .describe('How long things are kept.'),
  reviewUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('The review app as staff reach it, for links in alerts. Default: http:// and the `web` address.'),
  entraId: z
    .strictObject({
      tenantId: z
        .guid('expected the Directory (tenant) ID, a GUID')
        .describe("The school's Directory (tenant) ID from the Entra admin centre; only people of this tenant may sign in."),
      clientId: z.guid('expected the Application (client) ID, a GUID').describe('The Application (client) ID of the app registration (docs/entra-id.md).'),
      issuer: z
        .url({ protocol: /^https?$/ })
        .refine((text) => new URL(text).protocol === 'https:' || LOOPBACK_HOSTS.has(new URL(text).hostname), 'expected an https:// URL (http:// only on this machine, for tests)')
        .optional()
        .describe('The OpenID Connect issuer. Default: https://login.microsoftonline.com/TENANT/v2.0.'),
      passwordSignIn: z
        .boolean()
        .optional()
        .describe(
          "false: the review app's password form is off and everyone signs in with Entra ID, where the tenant's Conditional Access (MFA) applies. Default true: passwords too, with TOTP for the dpo, dsl and admin roles.",
        ),
    })
    .optional()
    .describe(
      'Sign-in to the review app with Microsoft Entra ID (OpenID Connect), beside local passwords: Entra authenticates, the account from `hallmonitor users add` decides the role. The redirect URI is reviewUrl + /sign-in/entra/callback. Absent: local passwords only.',
    ),
  entraIdClientSecret: z.string().min(1).optional().describe("The app registration's client secret, needed with entraId; a secret, better kept in the environment."),
  digest: z
    .strictObject({
      schedule: z
        .string()
        .min(9)
        .default(GATEWAY_DEFAULTS.digestSchedule)
        .describe("When, as a cron pattern. Each digest counts the time since the previous run: with `0 7 * * 1-5` Monday's covers the weekend."),
      timezone: z.string().min(1).default(GATEWAY_DEFAULTS.digestTimezone).describe('In which time zone.'),
    })
    .prefault({})
    .describe('The daily digest to the Business Manager, DPO and DSL.'),
  encryption: z
    .strictObject({
      envelopeKdf: z
        .enum(['argon2', 'iterated'])
        .default(GATEWAY_DEFAULTS.envelopeKdf)
        .describe(
          "The web-page envelope's key derivation: argon2 (memory-hard, RFC 9580) or iterated (RFC 4880, for recipients with older OpenPGP tools such as GnuPG 2.2). The PDF envelope uses PDF 2.0's own (ISO 32000-2 revision 6).",
        ),
      passphrases: z
        .record(addressOrDomainSchema, z.string().min(12, 'at least 12 characters'))
        .default({})
        .describe('Passphrases agreed in advance with partners (social care, other schools), by address or domain: address or domain → passphrase.'),
      keylessForm: keylessFormSchema
        .default(GATEWAY_DEFAULTS.keylessForm)
        .describe(
          'What a recipient without a usable OpenPGP key gets: pdf (an AES-256 encrypted PDF envelope that every PDF reader opens, phones included) or html (the self-decrypting web page). A school can choose otherwise (schools[].encryption), and so can an entry for the recipient in keylessFormByRecipient.',
        ),
      keylessFormByRecipient: keylessFormByRecipientSchema
        .default({})
        .describe(
          "The form for particular recipients, by address or domain: address or domain → pdf or html, e.g. a council whose mail filter strips one of them. An address beats its domain; a school's own list beats this one.",
        ),
      maxEncryptedMessageBytes: z
        .number()
        .int()
        .positive()
        .default(GATEWAY_DEFAULTS.maxEncryptedMessageBytes)
        .describe(
          "Largest encrypted message handed to the next hop, in bytes as sent (base64 included): the next hop's own limit (Exchange Online's default is 35 MB). A message whose encrypted form would be larger is held for review, with that reason, rather than refused by the next hop.",
        ),
      signingKey: z.string().min(1).optional().describe("The gateway's own OpenPGP private key (armored file) to sign PGP/MIME mail."),
      webKeyDirectory: z
        .boolean()
        .default(false)
        .describe("Look up recipients' OpenPGP keys in their domain's Web Key Directory (HTTPS) when none was imported. Off: only imported keys are used."),
    })
    .prefault({})
    .describe('Forced encryption (the encrypt verdict).'),
  limits: z
    .strictObject({
      maxMessageBytes: z.number().int().positive().default(GATEWAY_DEFAULTS.maxMessageBytes).describe('Largest message accepted; 552 as soon as it is exceeded.'),
      maxRecipients: z.number().int().positive().default(GATEWAY_DEFAULTS.maxRecipients).describe('Most recipients per message.'),
      maxClients: z.number().int().positive().default(GATEWAY_DEFAULTS.maxClients).describe('Most SMTP connections at once.'),
      maxConnectionsPerIp: z.number().int().positive().default(GATEWAY_DEFAULTS.maxConnectionsPerIp).describe('Most SMTP connections at once from one address.'),
      socketTimeoutSeconds: z.number().positive().default(GATEWAY_DEFAULTS.socketTimeoutSeconds).describe('An idle SMTP connection is closed after this long.'),
      shutdownGraceSeconds: z.number().positive().default(GATEWAY_DEFAULTS.shutdownGraceSeconds).describe('On SIGTERM, how long transactions in flight may take to finish.'),
      smtpAuthFailures: z
        .strictObject({
          perAddress: z
            .number()
            .int()
            .positive()
            .default(GATEWAY_DEFAULTS.smtpAuthFailures.perAddress)
            .describe('Failed SMTP AUTH attempts allowed from one client address per window.'),
          total: z
            .number()
            .int()
            .positive()
            .default(GATEWAY_DEFAULTS.smtpAuthFailures.total)
            .describe('Failed SMTP AUTH attempts allowed from every client together per window: a guessing campaign spread over many addresses.'),
          windowMinutes: z.number().positive().default(GATEWAY_DEFAULTS.smtpAuthFailures.windowMinutes).describe('The sliding window, in minutes.'),
        })
        .prefault({})
        .describe('Beyond either limit, AUTH is answered 454 4.7.0 before any password is checked.'),
      signIn: z
        .strictObject({
          attemptsPerMinute: z
            .number()
            .int()
            .positive()
            .default(GATEWAY_DEFAULTS.signIn.attemptsPerMinute)
            .describe('Sign-in attempts a minute from one client address for one login; then 429.'),
          accountFailures: z
            .number()
            .int()
            .positive()
            .default(GATEWAY_DEFAULTS.signIn.accountFailures)
            .describe('Failed sign-ins allowed for one account from every address together per window; then 429.'),
          accountWindowMinutes: z.number().positive().default(GATEWAY_DEFAULTS.signIn.accountWindowMinutes).describe('The per-account sliding window, in minutes.'),
        })
        .prefault({})
        .describe("The review app's password sign-in."),
      passwordHashes: z
        .strictObject({
          running: z
            .number()
            .int()
            .positive()
            .default(GATEWAY_DEFAULTS.passwordHashes.running)
            .describe("Password hashes at once (scrypt, 128 MiB and a thread of the 4 in libuv's pool each), review-app sign-ins and SMTP AUTH together."),
          waiting: z
            .number()
            .int()
            .min(0)
            .default(GATEWAY_DEFAULTS.passwordHashes.waiting)
            .describe('Password checks waiting for a turn; beyond it a sign-in gets 503 and SMTP AUTH 454 4.7.0, at once.'),
        })
        .prefault({})
        .describe('How many password hashes run at once: a flood of sign-ins or AUTH attempts waits or is turned away instead of exhausting memory and the thread pool.'),
    })
    .prefault({})
    .describe('Limits: SMTP connections and messages, failed logins, password hashing.'),
};
