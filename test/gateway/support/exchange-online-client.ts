import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

/*
 * A scripted stand-in for Exchange Online smart-hosting a school's outbound mail through an outbound connector
 * to the gateway: its EHLO name, STARTTLS with the connector's client certificate, one or several messages a
 * session, and the header fields Exchange Online writes when a message leaves a tenant. Built on nodemailer's
 * SMTP client, not on the gateway's code, so the gateway is spoken to as a foreign server would.
 */

/** PEM files for a test CA, the gateway's server certificate and Exchange Online's client certificate. */
export interface ConnectorCertificates {
  readonly folder: string;
  readonly caPath: string;
  readonly ca: string;
  readonly server: { readonly keyPath: string; readonly certPath: string };
  readonly client: { readonly key: string; readonly cert: string };
  /** A client certificate from a CA the gateway does not trust. */
  readonly stranger: { readonly key: string; readonly cert: string };
}

/** The name the gateway's certificate is issued to, as the connector's smart host. */
export const GATEWAY_HOST = 'hallmonitor.stmarys-example.sch.uk';

/**
 * Makes a CA, the gateway's server certificate and a client certificate issued, like Microsoft's, to
 * `mail.protection.outlook.com` (with openssl: P-256 keys, two days).
 */
export async function makeConnectorCertificates(folder: string): Promise<ConnectorCertificates> {
  await mkdir(folder, { recursive: true });
  const at = (name: string) => join(folder, name);
  makeRoot(folder, 'ca', '/CN=Hallmonitor Test Root');
  makeRoot(folder, 'other-ca', '/CN=Another Root');
  await issue(folder, 'ca', 'server', `/CN=${GATEWAY_HOST}`, `subjectAltName=DNS:${GATEWAY_HOST}\nextendedKeyUsage=serverAuth\n`);
  const outlook = '/C=US/ST=Washington/L=Redmond/O=Microsoft Corporation/CN=mail.protection.outlook.com';
  const clientExtensions = 'subjectAltName=DNS:mail.protection.outlook.com,DNS:*.mail.protection.outlook.com\nextendedKeyUsage=serverAuth,clientAuth\n';
  await issue(folder, 'ca', 'client', outlook, clientExtensions);
  await issue(folder, 'other-ca', 'stranger', outlook, clientExtensions);
  const read = (name: string) => readFile(at(name), 'utf8');
  return {
    folder,
    caPath: at('ca.crt'),
    ca: await read('ca.crt'),
    server: { keyPath: at('server.key'), certPath: at('server.crt') },
    client: { key: await read('client.key'), cert: await read('client.crt') },
    stranger: { key: await read('stranger.key'), cert: await read('stranger.crt') },
  };
}

/** A self-signed root that may sign certificates: `NAME.key` and `NAME.crt` in `folder`. */
function makeRoot(folder: string, name: string, subject: string): void {
  const at = (file: string) => join(folder, file);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at(`${name}.key`)];
  const caExtensions = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  openssl(['req', '-x509', ...key, '-out', at(`${name}.crt`), '-subj', subject, '-days', '2', ...caExtensions]);
}

async function issue(folder: string, ca: string, name: string, subject: string, extensions: string): Promise<void> {
  const at = (file: string) => join(folder, file);
  await writeFile(at(`${name}.ext`), extensions);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', subject]);
  openssl([
    'x509',
    '-req',
    '-in',
    at(`${name}.csr`),
    '-CA',
    at(`${ca}.crt`),
    '-CAkey',
    at(`${ca}.key`),
    '-CAcreateserial',
    '-out',
    at(`${name}.crt`),
    '-days',
    '2',
    '-extfile',
    at(`${name}.ext`),
  ]);
}

function openssl(args: string[]): void {
  const run = spawnSync('openssl', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr}`);
}

/** The gateway's answer to one message: the reply to DATA, or the first refusal before it. */
export interface SmtpAnswer {
  readonly code: number;
  /** The whole reply line, e.g. `550 5.7.1 ...`. */
  readonly reply: string;
}

export interface OutboundMessage {
  /** The envelope sender; `''` is the null sender `MAIL FROM:<>`. */
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: Buffer;
  /** Send `BODY=8BITMIME`, as Exchange Online does for a message with 8-bit content. */
  readonly eightBit?: boolean;
}

export interface ExchangeOnlineSession {
  /** One transaction; a later call reuses the session (RSET-free, as Exchange Online pipelines them). */
  send(message: OutboundMessage): Promise<SmtpAnswer>;
  /** Whether STARTTLS succeeded. */
  readonly secure: boolean;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** The client certificate to present; none when absent. */
  readonly certificate?: { readonly key: string; readonly cert: string };
  /** The CA the gateway's certificate is checked against. */
  readonly ca: string;
  /** An Exchange Online front-end's name, which is what it says in EHLO. */
  readonly ehloName?: string;
  /** Skip STARTTLS altogether. */
  readonly plain?: boolean;
}

/** An Exchange Online front end's EHLO name in Europe. */
export const EXCHANGE_EHLO_NAME = 'EUR05-DB8-obe.outbound.protection.outlook.com';

/** Connects, says EHLO and STARTTLS (the connector requires TLS) with the certificate, as Exchange Online does. */
export async function connectAsExchangeOnline(port: number, options: ConnectOptions): Promise<ExchangeOnlineSession> {
  const connection = new SMTPConnection({
    host: '127.0.0.1',
    port,
    name: options.ehloName ?? EXCHANGE_EHLO_NAME,
    ...(options.plain ? { ignoreTLS: true } : { requireTLS: true }),
    tls: {
      ca: options.ca,
      servername: GATEWAY_HOST,
      minVersion: 'TLSv1.2',
      ...(options.certificate ?? {}),
    },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 60_000,
  });
  connection.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    connection.once('error', reject);
    connection.connect(() => {
      connection.off('error', reject);
      resolve();
    });
  });
  return {
    get secure() {
      return connection.secure;
    },
    send: (message) => sendOne(connection, message),
    close: () =>
      new Promise<void>((resolve) => {
        connection.once('end', () => resolve());
        connection.quit();
      }),
  };
}

function sendOne(connection: SMTPConnection, message: OutboundMessage): Promise<SmtpAnswer> {
  const envelope = { from: message.from, to: [...message.to], size: message.raw.length, use8BitMime: message.eightBit ?? false };
  return new Promise((resolve, reject) => {
    connection.send(envelope, message.raw, (error, info) => {
      if (!error) return resolve({ code: Number(info.response.slice(0, 3)), reply: info.response });
      const { responseCode, response } = error as Error & { responseCode?: number; response?: string };
      if (responseCode === undefined || response === undefined) return reject(error);
      // A refusal before DATA leaves the transaction open: RSET, so the next message on the session starts afresh.
      connection.reset(() => resolve({ code: responseCode, reply: response }));
    });
  });
}

/** One connection, one message, closed: how Exchange Online mostly delivers to a connector's smart host. */
export async function sendAsExchangeOnline(port: number, options: ConnectOptions, message: OutboundMessage): Promise<SmtpAnswer> {
  const session = await connectAsExchangeOnline(port, options);
  try {
    return await session.send(message);
  } finally {
    await session.close();
  }
}

/** An invented Microsoft 365 tenant (directory) id: the school's. */
export const SCHOOL_TENANT = '3f6c9a2e-8b1d-4e57-a0c4-5d2e7b91f3a8';
/** Another organisation's tenant on the same Exchange Online. */
export const OTHER_TENANT = 'b81e4d07-2c95-4f3a-9e6d-a17c0f58e2b4';

export interface ExchangeHeaderOptions {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  /** The tenant Exchange Online stamps; `null` leaves every CrossTenant field out. */
  readonly tenant: string | null;
  /** The sending tenant's default domain, for X-OriginatorOrg. */
  readonly originatorOrg?: string;
  /** Fields the message carries in its own header, written after Subject (e.g. Content-Type, Auto-Submitted). */
  readonly fields: readonly string[];
  readonly date?: Date;
  /** Outlook's X-MS-Has-Attach: `yes` for a message with attachments. */
  readonly hasAttach?: boolean;
}

/**
 * The header section as Exchange Online writes it for mail leaving a tenant through an outbound connector:
 * its Received line, the Outlook fields (Thread-Index, X-MS-Has-Attach, X-MS-TNEF-Correlator, ...), and after
 * MIME-Version the cross-tenant stamps (X-MS-Exchange-CrossTenant-id in Exchange's own spelling), with CRLF.
 */
export function exchangeOnlineHeader(options: ExchangeHeaderOptions): string {
  const date = options.date ?? new Date('2025-11-05T14:28:00Z');
  const mailbox = 'LO4P265MB6203.GBRP265.PROD.OUTLOOK.COM';
  const messageId = `<${mailbox.slice(0, 12)}${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}@${mailbox}>`;
  const network = randomUUID();
  const lines = [
    `Received: from ${mailbox} (2603:10a6:600:2f6::9) by`,
    ` LO2P265MB5621.GBRP265.PROD.OUTLOOK.COM (2603:10a6:600:270::12) with`,
    ` Microsoft SMTP Server (version=TLS1_2,`,
    ` cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.9253.13; ${date.toUTCString().replace('GMT', '+0000')}`,
    `From: ${options.from}`,
    `To: ${options.to}`,
    `Subject: ${options.subject}`,
    `Thread-Topic: ${options.subject}`,
    'Thread-Index: AdxOVk3bq1xRQ8H9TQ2hV0d6d9rZAg==',
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${messageId}`,
    'Accept-Language: en-GB, en-US',
    'Content-Language: en-GB',
    `X-MS-Has-Attach:${options.hasAttach ? ' yes' : ''}`,
    'X-MS-TNEF-Correlator:',
    'x-ms-publictraffictype: Email',
    `x-ms-traffictypediagnostic: ${mailbox.slice(0, 12)}:EE_|LO2P265MB5621:EE_`,
    `x-ms-office365-filtering-correlation-id: ${network}`,
    'x-forefront-antispam-report:',
    ` CIP:255.255.255.255;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:${mailbox};PTR:;CAT:NONE;SFS:(13230040)(366016)(1800799024);DIR:OUT;SFP:1101;`,
    ...options.fields,
    'MIME-Version: 1.0',
    ...(options.tenant === null
      ? []
      : [
          `X-OriginatorOrg: ${options.originatorOrg ?? 'stmarys-example.sch.uk'}`,
          'X-MS-Exchange-CrossTenant-AuthAs: Internal',
          `X-MS-Exchange-CrossTenant-AuthSource: ${mailbox}`,
          `X-MS-Exchange-CrossTenant-Network-Message-Id: ${network}`,
          `X-MS-Exchange-CrossTenant-originalarrivaltime: ${arrivalTime(date)}`,
          'X-MS-Exchange-CrossTenant-fromentityheader: Hosted',
          `X-MS-Exchange-CrossTenant-id: ${options.tenant}`,
          'X-MS-Exchange-CrossTenant-mailboxtype: HOSTED',
          'X-MS-Exchange-Transport-CrossTenantHeadersStamped: LO2P265MB5621',
        ]),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** `05 Nov 2025 14:28:00.0000 (UTC)`, as Exchange writes the original arrival time. */
function arrivalTime(date: Date): string {
  const [, day, month, year, time] = date.toUTCString().split(' ');
  return `${day} ${month} ${year} ${time}.${String(date.getUTCMilliseconds()).padStart(3, '0')}0 (UTC)`;
}

/** A whole message: the Exchange Online header, a blank line, and the body (CRLF line ends throughout). */
export function exchangeOnlineMessage(options: ExchangeHeaderOptions & { readonly body: string | Buffer }): Buffer {
  const body = typeof options.body === 'string' ? Buffer.from(options.body.replace(/\r?\n/g, '\r\n'), 'utf8') : options.body;
  return Buffer.concat([Buffer.from(`${exchangeOnlineHeader(options)}\r\n`, 'utf8'), body]);
}
