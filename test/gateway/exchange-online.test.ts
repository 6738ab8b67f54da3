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

  it('takes mail only over a session whose client certificate the CA in tls.ca issued', async () => {
    const cleanMail = { from: TEACHER, to: [PARENT], raw: clean(SCHOOL_TENANT) };
    const before = nextHop.received.length;
    // The gateway ends the TLS handshake; it logs why by OpenSSL's code.
    await expect(sendAsExchangeOnline(gateway.smtp.port, { ca: certificates.ca, certificate: certificates.stranger }, cleanMail)).rejects.toThrow();
    expect(log.lines).toContainEqual(expect.objectContaining({ msg: 'connection error', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }));
    await expect(sendAsExchangeOnline(gateway.smtp.port, { ca: certificates.ca }, cleanMail)).rejects.toThrow();
    expect(log.lines).toContainEqual(expect.objectContaining({ msg: 'connection error', code: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE' }));
    const plain = await sendAsExchangeOnline(gateway.smtp.port, { ca: certificates.ca, plain: true }, cleanMail);
    expect(plain.reply).toMatch(/^530 5\.7\.0 /);
    expect(nextHop.received).toHaveLength(before);
  });

  it('refuses another tenant with 550 5.7.1, relays nothing, logs and counts it as tenant-mismatch', async () => {
    const { answer, received } = await relay(TEACHER, [PARENT], clean(OTHER_TENANT));
    expect(answer.code).toBe(550);
    expect(answer.reply).toMatch(/^550 5\.7\.1 /);
    expect(received).toBeUndefined();
    expect(log.lines).toContainEqual(expect.objectContaining({ msg: 'refused', refusal: 'tenant-mismatch', stage: 'data', reply: 550 }));
    expect(await metrics()).toMatch(/^hallmonitor_refusals_total\{reason="tenant-mismatch"\} 1$/m);
  });

  it('refuses a message with no CrossTenant stamp with 550 5.7.1 (tenant-missing) and relays nothing', async () => {
    const { answer, received } = await relay(TEACHER, [PARENT], clean(null));
    expect(answer.code).toBe(550);
    expect(answer.reply).toMatch(/^550 5\.7\.1 /);
    expect(received).toBeUndefined();
    expect(log.lines).toContainEqual(expect.objectContaining({ msg: 'refused', refusal: 'tenant-missing', stage: 'data', reply: 550 }));
    expect(await metrics()).toMatch(/^hallmonitor_refusals_total\{reason="tenant-missing"\} 1$/m);
  });

  async function metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${gateway.web.port}/metrics`)).text();
  }

  /** Mails queued so far in any state (notices, alerts, passphrases): none is ever removed within a test run. */
  async function queuedMailCount(): Promise<number> {
    const counts = await mails.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }
  void queuedMailCount;
});

/** The next hop got the message exactly as sent, after the one trace line the gateway adds on top. */
function expectRelayedUnchanged(received: ReceivedMessage | undefined, raw: Buffer): void {
  expect(received, 'nothing reached the next hop').toBeDefined();
  const text = received!.raw.toString('latin1');
  const trace = /^X-Hallmonitor-Trace: v=1; t=\d+; mac=[A-Za-z0-9_-]+\r\n/.exec(text);
  expect(trace, 'the trace line first').not.toBeNull();
  expect(received!.raw.subarray(trace![0].length).equals(raw), 'the rest byte for byte').toBe(true);
}
