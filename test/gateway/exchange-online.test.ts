import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewaySettings, type RunningGateway } from '../../src/gateway/start-gateway.js';
import { QUEUE_NAMES } from '../../src/queue/queue-names.js';
import { startNextHop, type ReceivedMessage, type RunningNextHop } from '../actions/support/next-hop-server.js';
import { SHARED_REDIS } from '../queue/support/redis.js';
import {
  connectAsExchangeOnline,
  exchangeOnlineHeader,
  exchangeOnlineMessage,
  makeConnectorCertificates,
  OTHER_TENANT,
  SCHOOL_TENANT,
  sendAsExchangeOnline,
  type ConnectorCertificates,
  type ConnectOptions,
  type SmtpAnswer,
} from './support/exchange-online-client.js';
import { FIXTURE_SCHOOL, gatewaySettings, memoryLog } from './support/gateway-settings.js';

const TEACHER = 'imran.sheikh@stmarys-example.sch.uk';
const PARENT = 'j.okonkwo@parents-example.org.uk';
const PSYCHOLOGIST = 'a.farrell@edpsych-example.org.uk';
const SCHOOL = { ...FIXTURE_SCHOOL, microsoft365TenantIds: [SCHOOL_TENANT] };
/** Exchange Online's default largest message (MaxSendSize), 35 MB. */
const EXCHANGE_MAX_BYTES = 35 * 1024 * 1024;

describe("startGateway with Exchange Online's shared ranges in allow", () => {
  const base = async () => gatewaySettings(join(await mkdtemp(join(tmpdir(), 'hm-exo-start-')), 'data'), undefined, [FIXTURE_SCHOOL]);

  it('refuses to start when a school names no Microsoft 365 tenant, naming microsoft365TenantIds', async () => {
    const settings = { ...(await base()), allow: ['40.107.0.0/16'] };
    await expect(startGateway(settings, pino({ level: 'silent' }))).rejects.toThrow(/microsoft365TenantIds/);
  });

  it.each([
    ['with the school bound to its tenant', { schools: [SCHOOL] }],
    ['with allowAnyMicrosoft365Tenant: true', { allowAnyMicrosoft365Tenant: true }],
  ])('starts %s', async (_case, change: Partial<GatewaySettings>) => {
    const settings = { ...(await base()), allow: ['40.107.0.0/16'], ...change };
    const gateway = await startGateway(settings, pino({ level: 'silent' }));
    await gateway.stop();
    expect(gateway.smtp.port).toBeGreaterThan(0);
  });
});

describe('Exchange Online smart-hosting to the gateway through an outbound connector', () => {
  let certificates: ConnectorCertificates;
  let nextHop: RunningNextHop;
  let gateway: RunningGateway;
  let mails: Queue;
  let exchange: ConnectOptions;
  const log = memoryLog();

  beforeAll(async () => {
    const folder = await mkdtemp(join(tmpdir(), 'hm-exo-'));
    certificates = await makeConnectorCertificates(join(folder, 'tls'));
    exchange = { ca: certificates.ca, certificate: certificates.client };
    nextHop = await startNextHop();
    const settings = gatewaySettings(join(folder, 'data'), nextHop.url, [SCHOOL]);
    gateway = await startGateway(
      {
        ...settings,
        tls: { key: certificates.server.keyPath, cert: certificates.server.certPath, ca: certificates.caPath },
        requireTls: true,
        requireClientCertificate: true,
        limits: { ...settings.limits, maxMessageBytes: EXCHANGE_MAX_BYTES },
      },
      log.logger,
    );
    mails = new Queue(QUEUE_NAMES.mail, { connection: { url: SHARED_REDIS.url }, prefix: settings.redisPrefix });
  });
  afterAll(async () => {
    await mails?.close();
    await gateway?.stop();
    await nextHop?.close();
  });

  /** Sends on a new session and returns the answer with what the next hop received for it, if anything. */
  async function relay(from: string, to: readonly string[], raw: Buffer, eightBit = false): Promise<{ answer: SmtpAnswer; received: ReceivedMessage | undefined }> {
    const before = nextHop.received.length;
    const answer = await sendAsExchangeOnline(gateway.smtp.port, exchange, { from, to, raw, eightBit });
    return { answer, received: nextHop.received.slice(before).at(-1) };
  }

  function clean(tenant: string | null, subject = 'Trip on Friday'): Buffer {
    return exchangeOnlineMessage({
      from: `Imran Sheikh <${TEACHER}>`,
      to: `<${PARENT}>`,
      subject,
      tenant,
      fields: ['Content-Type: text/plain; charset="us-ascii"', 'Content-Transfer-Encoding: quoted-printable'],
      body: 'Dear parents,\n\nThe Year 4 trip to the Science Museum leaves at 9am on Friday. Please send a packed lunch.\n\nMr Sheikh\n',
    });
  }

  it("relays the school's own tenant's mail over the verified connector session, byte for byte below the trace line", async () => {
    const raw = clean(SCHOOL_TENANT);
    const { answer, received } = await relay(TEACHER, [PARENT], raw);
    expect(answer.code, answer.reply).toBe(250);
    expectRelayedUnchanged(received, raw);
    expect(received).toMatchObject({ from: TEACHER, to: [PARENT] });
  });

  it("keeps the case of the envelope's local parts as Exchange Online gave them (RFC 5321 §2.4), while the policy still knows the sender", async () => {
    const sender = 'Imran.Sheikh@StMarys-Example.sch.uk';
    const recipient = 'J.Okonkwo@Parents-Example.org.uk';
    const raw = clean(SCHOOL_TENANT, 'Trip: packed lunches');
    const { answer, received } = await relay(sender, [recipient], raw);
    expect(answer.code, answer.reply).toBe(250);
    expect(received).toMatchObject({ from: sender, to: [recipient] });
    expectRelayedUnchanged(received, raw);
  });

  it('takes mail only over a session whose client certificate the CA in tls.ca issued', async () => {
    const cleanMail = { from: TEACHER, to: [PARENT], raw: clean(SCHOOL_TENANT) };
    const before = nextHop.received.length;
    // The gateway ends the TLS handshake; it logs which client and why, by OpenSSL's code.
    await expect(sendAsExchangeOnline(gateway.smtp.port, { ca: certificates.ca, certificate: certificates.stranger }, cleanMail)).rejects.toThrow();
    expect(log.lines).toContainEqual(expect.objectContaining({ msg: 'connection error', client: '127.0.0.1', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }));
    await expect(sendAsExchangeOnline(gateway.smtp.port, { ca: certificates.ca }, cleanMail)).rejects.toThrow();
    expect(log.lines).toContainEqual(expect.objectContaining({ msg: 'connection error', client: '127.0.0.1', code: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE' }));
    const plain = await sendAsExchangeOnline(gateway.smtp.port, { ca: certificates.ca, plain: true }, cleanMail);
    expect(plain.reply).toMatch(/^530 5\.7\.0 /);
    expect(nextHop.received).toHaveLength(before);
    // Each failed handshake counted once.
    const counted = await metrics();
    expect(counted).toMatch(/^hallmonitor_connection_errors_total\{code="UNABLE_TO_VERIFY_LEAF_SIGNATURE"\} 1$/m);
    expect(counted).toMatch(/^hallmonitor_connection_errors_total\{code="ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE"\} 1$/m);
  });

  it('refuses another tenant with 550 5.7.1, relays nothing, logs and counts it as tenant-mismatch', async () => {
    const { answer, received } = await relay(TEACHER, [PARENT], clean(OTHER_TENANT));
    expect(answer.reply).toBe('550 5.7.1 Mail from this Microsoft 365 tenant is not relayed for this sender');
    expect(received).toBeUndefined();
    expect(log.lines).toContainEqual(expect.objectContaining({ msg: 'refused', refusal: 'tenant-mismatch', stage: 'data', reply: 550 }));
    expect(await metrics()).toMatch(/^hallmonitor_refusals_total\{reason="tenant-mismatch"\} 1$/m);
  });

  it('refuses a message with no CrossTenant stamp with 550 5.7.1 (tenant-missing) and relays nothing', async () => {
    const { answer, received } = await relay(TEACHER, [PARENT], clean(null));
    expect(answer.reply).toBe("550 5.7.1 Mail is relayed only from the school's own Microsoft 365 tenant; none was named");
    expect(received).toBeUndefined();
    expect(log.lines).toContainEqual(expect.objectContaining({ msg: 'refused', refusal: 'tenant-missing', stage: 'data', reply: 550 }));
    expect(await metrics()).toMatch(/^hallmonitor_refusals_total\{reason="tenant-missing"\} 1$/m);
  });

  it('takes several messages on one session and answers each; a refused one ends only its own transaction', async () => {
    const first = clean(SCHOOL_TENANT, 'Trip on Friday');
    const second = clean(SCHOOL_TENANT, 'Trip: coach times');
    const before = nextHop.received.length;
    const session = await connectAsExchangeOnline(gateway.smtp.port, exchange);
    expect(session.secure).toBe(true);
    const answers: SmtpAnswer[] = [];
    for (const raw of [first, clean(OTHER_TENANT, 'Invoice'), second]) answers.push(await session.send({ from: TEACHER, to: [PARENT], raw }));
    await session.close();
    expect(answers.map((answer) => answer.code)).toEqual([250, 550, 250]);
    const received = nextHop.received.slice(before);
    expect(received).toHaveLength(2);
    expectRelayedUnchanged(received[0], first);
    expectRelayedUnchanged(received[1], second);
  });

  it('passes on BODY=8BITMIME with a raw UTF-8 body, and SMTPUTF8 for a UTF-8 local part, byte for byte', async () => {
    const recipient = 'siân.pryce@parents-example.org.uk';
    const raw = exchangeOnlineMessage({
      from: `Imran Sheikh <${TEACHER}>`,
      to: `Siân Pryce <${recipient}>`,
      subject: 'Choir café evening',
      tenant: SCHOOL_TENANT,
      fields: ['Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: 8bit'],
      body: 'Annwyl Siân,\n\nDiolch yn fawr! The choir’s café evening raised £240 — très bien. Zwölf Kuchen were sold.\n\nMr Sheikh\n',
    });
    const { answer, received } = await relay(TEACHER, [recipient], raw, true);
    expect(answer.code, answer.reply).toBe(250);
    expectRelayedUnchanged(received, raw);
    expect(received).toMatchObject({ to: [recipient], bodyType: '8bitmime', smtpUtf8: true });
  });

  it('relays a clean out-of-office reply from the null sender, byte for byte, logged as automatic', async () => {
    const raw = outOfOffice(PARENT, 'I am out of the office until Monday 10 November with limited access to email. For anything urgent, please contact the school office.');
    const { answer, received } = await relay('', [PARENT], raw);
    expect(answer.code, answer.reply).toBe(250);
    expectRelayedUnchanged(received, raw);
    expect(received?.from).toBe('');
    expect(lastMessageLine()).toMatchObject({ verdict: 'deliver', automatic: true, senderDomain: '', reply: 250 });
  });

  it("holds for the DPO an out-of-office reply naming a pupil's SEN to an outside professional, and queues no notice to anybody", async () => {
    const queuedBefore = await queuedMailCount();
    const raw = outOfOffice(
      PSYCHOLOGIST,
      "I am on leave until Monday. For anything about Libby Harding's EHCP annual review or her dyslexia screening, please contact our SENCo, Mrs Chaudhry.",
    );
    const { answer, received } = await relay('', [PSYCHOLOGIST], raw);
    expect(answer.reply).toBe('250 2.6.0 held for review by the Data Protection Officer');
    expect(received).toBeUndefined();
    const line = lastMessageLine();
    // The rules encrypt this for a person's message; an automatic one is held instead (policy/automatic-message.ts).
    expect(line).toMatchObject({ verdict: 'quarantine', automatic: true, reply: 250, rules: ['pupil-data-to-external'] });
    expect(line.categories).toMatchObject({ 'pupil-name': 1, 'sensitive/sen': expect.any(Number) });
    expect(await queuedMailCount()).toBe(queuedBefore);

    // The control: a person's message the rules return does queue its sender's notice where this counts.
    const swearing = exchangeOnlineMessage({
      from: `Imran Sheikh <${TEACHER}>`,
      to: `<${PARENT}>`,
      subject: 'Boiler',
      tenant: SCHOOL_TENANT,
      fields: ['Content-Type: text/plain; charset="us-ascii"'],
      body: 'The boiler engineer did not turn up again. What a load of bollocks.\n',
    });
    expect((await relay(TEACHER, [PARENT], swearing)).answer.code).toBe(550);
    expect(await queuedMailCount()).toBe(queuedBefore + 1);
  });

  it("scans an NDR from the null sender: a clean one is relayed byte for byte (another tenant's stamps inside the returned message do not count), one whose returned message names a pupil with SEN is held", async () => {
    const cleanNdr = nonDeliveryReport('Could you let me know when the homework club starts again after half term?');
    const relayed = await relay('', [PARENT], cleanNdr);
    expect(relayed.answer.code, relayed.answer.reply).toBe(250);
    expectRelayedUnchanged(relayed.received, cleanNdr);
    expect(lastMessageLine()).toMatchObject({ verdict: 'deliver', automatic: true });

    const sensitive = nonDeliveryReport("Kwame Mensah's EHCP review is next week and his dyslexia assessment report is attached to my last email.");
    const held = await relay('', [PARENT], sensitive);
    expect(held.answer.reply).toBe('250 2.6.0 held for review by the Data Protection Officer');
    expect(held.received).toBeUndefined();
    expect(lastMessageLine()).toMatchObject({ verdict: 'quarantine', automatic: true, rules: ['pupil-data-to-external'], categories: { 'pupil-name': 1, 'sensitive/sen': 2 } });
  });

  it('relays a meeting invitation (text/calendar; method=REQUEST) byte for byte', async () => {
    const raw = meetingRequest();
    const { answer, received } = await relay(TEACHER, [PARENT], raw);
    expect(answer.code, answer.reply).toBe(250);
    expectRelayedUnchanged(received, raw);
    expect(lastMessageLine()).toMatchObject({ verdict: 'deliver' });
  });

  it("takes a message of Exchange Online's default largest size (35 MB, a scanned PDF) and relays it byte for byte", { timeout: 60_000 }, async () => {
    const raw = withLargePdf(EXCHANGE_MAX_BYTES - 64 * 1024);
    expect(raw.length).toBeGreaterThan(34 * 1024 * 1024);
    const { answer, received } = await relay(TEACHER, [PARENT], raw);
    expect(answer.code, answer.reply).toBe(250);
    expectRelayedUnchanged(received, raw);
    expect(lastMessageLine()).toMatchObject({ verdict: 'deliver', bytes: raw.length });
  });

  it('logged none of the content, names or local parts of what it was sent', () => {
    const all = JSON.stringify(log.lines);
    for (const secret of ['Libby', 'Harding', 'Kwame', 'Mensah', 'dyslexia', 'siân', 'imran.sheikh', 'j.okonkwo', 'a.farrell', 'Science Museum', 'Summer fair', 'bollocks']) {
      expect(all).not.toContain(secret);
    }
  });

  /** The log line of the last message answered after DATA. */
  function lastMessageLine(): Record<string, unknown> {
    return log.lines.findLast((line) => line.msg === 'message') ?? {};
  }

  async function metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${gateway.web.port}/metrics`)).text();
  }

  /** Mails queued so far in any state (notices, alerts, passphrases): none is ever removed within a test run. */
  async function queuedMailCount(): Promise<number> {
    const counts = await mails.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }
});

/** The next hop got the message exactly as sent, after the one trace line the gateway adds on top. */
function expectRelayedUnchanged(received: ReceivedMessage | undefined, raw: Buffer): void {
  expect(received, 'nothing reached the next hop').toBeDefined();
  const text = received!.raw.toString('latin1');
  const trace = /^X-Hallmonitor-Trace: v=2; t=\d+; mac=[A-Za-z0-9_-]+\r\n/.exec(text);
  expect(trace, 'the trace line first').not.toBeNull();
  expect(received!.raw.subarray(trace![0].length).equals(raw), 'the rest byte for byte').toBe(true);
}

/** Exchange Online's automatic reply: from the null sender, `Auto-Submitted: auto-replied`, its loop stamp. */
function outOfOffice(to: string, text: string): Buffer {
  return exchangeOnlineMessage({
    from: `Imran Sheikh <${TEACHER}>`,
    to: `<${to}>`,
    subject: 'Automatic reply: Next week',
    tenant: SCHOOL_TENANT,
    fields: [
      'In-Reply-To: <7d1f2c3b@mail.example.org>',
      'References: <7d1f2c3b@mail.example.org>',
      'Auto-Submitted: auto-replied',
      'X-Auto-Response-Suppress: All',
      `X-MS-Exchange-Inbox-Rules-Loop: ${TEACHER}`,
      'X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent',
      'Content-Type: text/plain; charset="utf-8"',
      'Content-Transfer-Encoding: quoted-printable',
    ],
    body: `${text}\n\nMr Sheikh\n`,
  });
}

/**
 * Exchange Online's non-delivery report for a parent's message to a mailbox that no longer exists: a
 * multipart/report with the human part, the delivery-status part and the parent's message returned whole.
 */
function nonDeliveryReport(parentText: string): Buffer {
  const boundary = 'b0a7c1e5-3d2f-4e8a-9c61-0f4d2b7a8e13';
  const gone = 'd.hughes@stmarys-example.sch.uk';
  const body = [
    `--${boundary}`,
    'Content-Type: text/plain; charset="us-ascii"',
    'Content-Transfer-Encoding: 7bit',
    '',
    `Your message to ${gone} couldn't be delivered.`,
    `d.hughes wasn't found at stmarys-example.sch.uk.`,
    '',
    'Remote Server returned 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns;LO4P265MB6203.GBRP265.PROD.OUTLOOK.COM',
    'Received-From-MTA: dns;mail.parents-example.org.uk',
    'Arrival-Date: Wed, 5 Nov 2025 14:27:58 +0000',
    '',
    `Final-Recipient: rfc822;${gone}`,
    'Action: failed',
    'Status: 5.1.10',
    'Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
    '',
    `--${boundary}`,
    'Content-Type: message/rfc822',
    '',
    `From: J Okonkwo <${PARENT}>`,
    `To: Mr Hughes <${gone}>`,
    'Subject: Next week',
    'Date: Wed, 5 Nov 2025 14:27:50 +0000',
    'Message-ID: <7d1f2c3b@mail.parents-example.org.uk>',
    'MIME-Version: 1.0',
    // The parent's own organisation is on Microsoft 365 too: its stamps travel inside the returned message.
    'X-OriginatorOrg: parents-example.org.uk',
    'X-MS-Exchange-CrossTenant-AuthAs: Internal',
    `X-MS-Exchange-CrossTenant-id: ${OTHER_TENANT}`,
    'Content-Type: text/plain; charset="us-ascii"',
    '',
    'Dear Mr Hughes,',
    '',
    parentText,
    '',
    'Thanks, J Okonkwo',
    '',
    `--${boundary}--`,
    '',
  ].join('\n');
  return exchangeOnlineMessage({
    from: 'Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@stmarys-example.sch.uk>',
    to: `<${PARENT}>`,
    subject: 'Undeliverable: Next week',
    tenant: SCHOOL_TENANT,
    fields: ['Auto-Submitted: auto-replied', 'X-MS-Exchange-Message-Is-Ndr:', `Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="${boundary}"`],
    body,
  });
}

/** Outlook's meeting request: plain text and the iCalendar REQUEST, base64 as Outlook encodes it. */
function meetingRequest(): Buffer {
  const boundary = '_000_LO4P265MB6203ABCDEF_';
  const calendar = [
    'BEGIN:VCALENDAR',
    'METHOD:REQUEST',
    'PRODID:Microsoft Exchange Server 2010',
    'VERSION:2.0',
    'BEGIN:VEVENT',
    `ORGANIZER;CN=Imran Sheikh:mailto:${TEACHER}`,
    `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=${PARENT}:mailto:${PARENT}`,
    'DESCRIPTION;LANGUAGE=en-GB:A chance to look at the Year 4 topic books together.\\n',
    'UID:040000008200E00074C5B7101A82E00800000000B0F1A6E2A54EDC01000000000000000010000000',
    'SUMMARY;LANGUAGE=en-GB:Year 4 topic books morning',
    'DTSTART;TZID=GMT Standard Time:20251113T090000',
    'DTEND;TZID=GMT Standard Time:20251113T100000',
    'CLASS:PUBLIC',
    'PRIORITY:5',
    'DTSTAMP:20251105T142800Z',
    'TRANSP:OPAQUE',
    'STATUS:CONFIRMED',
    'SEQUENCE:0',
    'LOCATION;LANGUAGE=en-GB:School hall',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  const body = [
    `--${boundary}`,
    'Content-Type: text/plain; charset="us-ascii"',
    '',
    'A chance to look at the Year 4 topic books together.',
    '',
    `--${boundary}`,
    'Content-Type: text/calendar; charset="utf-8"; method=REQUEST',
    'Content-Transfer-Encoding: base64',
    '',
    ...base64Lines(Buffer.from(calendar, 'utf8')),
    '',
    `--${boundary}--`,
    '',
  ].join('\n');
  return exchangeOnlineMessage({
    from: `Imran Sheikh <${TEACHER}>`,
    to: `<${PARENT}>`,
    subject: 'Year 4 topic books morning',
    tenant: SCHOOL_TENANT,
    fields: [`Content-Type: multipart/alternative;\r\n\tboundary="${boundary}"`],
    body,
  });
}

/**
 * A newsletter with a scanned poster as a PDF, grown to `size` bytes on the wire: one page of text and one
 * uncompressed RGB image filling the rest, base64 in 76-character lines as Exchange Online writes it.
 */
function withLargePdf(size: number): Buffer {
  const head = exchangeOnlineHeader({
    from: `Imran Sheikh <${TEACHER}>`,
    to: `<${PARENT}>`,
    subject: 'Summer fair poster',
    tenant: SCHOOL_TENANT,
    hasAttach: true,
    fields: ['Content-Type: multipart/mixed;\r\n\tboundary="_004_POSTER_"'],
  });
  const text = '\r\n--_004_POSTER_\r\nContent-Type: text/plain; charset="us-ascii"\r\n\r\nThe summer fair poster is attached; please print it at home if you can.\r\n\r\n';
  const attachmentHead =
    '--_004_POSTER_\r\nContent-Type: application/pdf; name="Summer fair poster.pdf"\r\nContent-Disposition: attachment; filename="Summer fair poster.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n';
  const tail = '\r\n--_004_POSTER_--\r\n';
  const room = size - head.length - text.length - attachmentHead.length - tail.length;
  // base64 turns 57 bytes into a 76-character line and its CRLF.
  const pdf = posterPdf(Math.floor(room / 78) * 57 - 1024);
  const encoded = base64Lines(pdf).join('\r\n');
  return Buffer.concat([Buffer.from(head + text + attachmentHead + encoded + tail, 'latin1')]);
}

/** A valid one-page PDF of about `bytes` bytes: a line of text and a photo-sized image stream. */
function posterPdf(bytes: number): Buffer {
  const width = 3000;
  const height = Math.floor((bytes - 2048) / (width * 3));
  const pixels = randomBytes(width * height * 3);
  const content = 'BT /F1 24 Tf 72 770 Td (Summer Fair: Saturday 4 July, 12 till 4) Tj ET\nq 451 0 0 600 72 100 cm /Im1 Do Q\n';
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>'),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'),
    Buffer.from(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`),
    Buffer.concat([
      Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length ${pixels.length} >>\nstream\n`),
      pixels,
      Buffer.from('\nendstream'),
    ]),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  objects.forEach((object, index) => {
    const framed = Buffer.concat([Buffer.from(`${index + 1} 0 obj\n`), object, Buffer.from('\nendobj\n')]);
    offsets.push(length);
    parts.push(framed);
    length += framed.length;
  });
  const xref = ['xref', `0 ${objects.length + 1}`, '0000000000 65535 f ', ...offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n `)].join('\n');
  parts.push(Buffer.from(`${xref}\ntrailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`));
  return Buffer.concat(parts);
}

function base64Lines(bytes: Buffer): string[] {
  return bytes.toString('base64').match(/.{1,76}/g) ?? [];
}
