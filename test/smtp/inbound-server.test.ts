import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { generate } from 'selfsigned';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createInboundServer, InboundOptionsError, type InboundOptions, type InboundServer, type RefusalReport } from '../../src/smtp/inbound-server.js';
import { ConcurrencyLimit } from '../../src/smtp/concurrency-limit.js';
import { hashPassword } from '../../src/smtp/password-hash.js';
import { selfSignedCertificate } from '../../src/smtp/self-signed.js';
import type { MessageHandler, SmtpReply, SpooledMessage } from '../../src/smtp/spooled-message.js';
import { RawSmtp } from './support/raw-smtp.js';

const run = promisify(execFile);

const SENDER = 'teacher.one@oakfield.sch.uk';
const RECIPIENT = 'parent.two@example.org';
/** The load balancer of the PROXY tests: a loopback address other than the 127.0.0.1 ordinary clients come from. */
const LOAD_BALANCER = '127.0.0.2';
const MESSAGE = 'From: Teacher One <teacher.one@oakfield.sch.uk>\r\nTo: parent.two@example.org\r\nSubject: Trip\r\n\r\nThe coach leaves at nine.\r\n';

/** What the handler saw: the message, and the spool file's bytes read while it was still there. */
interface Received {
  readonly message: SpooledMessage;
  readonly bytes: Buffer;
}

let spoolRoot: string;
let pair: { key: string; cert: string };
const running: InboundServer[] = [];

beforeAll(async () => {
  spoolRoot = await mkdtemp(join(tmpdir(), 'hallmonitor-smtp-'));
  pair = await selfSignedCertificate('localhost');
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close(0)));
});

afterAll(async () => {
  await rm(spoolRoot, { recursive: true, force: true });
});

/** Starts a server on port 0 that records what reaches the handler and answers with `answer`. */
async function start(overrides: Partial<InboundOptions> = {}, answer: (message: SpooledMessage) => Promise<SmtpReply> = accept) {
  const received: Received[] = [];
  const spoolDirectory = join(spoolRoot, `spool-${Math.random().toString(36).slice(2)}`);
  const handler: MessageHandler = async (message) => {
    received.push({ message, bytes: message.bytes ?? (await readFile(message.path!)) });
    return answer(message);
  };
  const server = createInboundServer(
    {
      host: '127.0.0.1',
      port: 0,
      allow: ['127.0.0.1/32', '::1/128'],
      senderDomains: ['oakfield.sch.uk'],
      maxMessageBytes: 64 * 1024,
      maxRecipients: 3,
      maxClients: 20,
      maxConnectionsPerIp: 10,
      socketTimeoutMs: 5_000,
      requireTls: false,
      spoolDirectory,
      ...overrides,
    },
    handler,
  );
  running.push(server);
  const { port } = await server.listen();
  return { port, received, spoolDirectory, server };
}

async function accept(): Promise<SmtpReply> {
  return { code: 250, message: '2.0.0 Delivered' };
}

function client(port: number, options: { requireTLS?: boolean; auth?: { user: string; pass: string } } = {}) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    requireTLS: options.requireTLS ?? false,
    ignoreTLS: options.requireTLS !== true && options.auth === undefined,
    tls: { rejectUnauthorized: false },
    ...(options.auth ? { auth: options.auth } : {}),
  });
}

async function sendRaw(port: number, raw: string | Buffer, to: string[] = [RECIPIENT], options: Parameters<typeof client>[1] = {}) {
  const transport = client(port, options);
  try {
    return await transport.sendMail({ envelope: { from: SENDER, to }, raw });
  } finally {
    transport.close();
  }
}

/** Opens a raw session up to the point where DATA has been accepted. */
async function openData(port: number): Promise<RawSmtp> {
  const { client: raw } = await RawSmtp.open(port);
  expect(await raw.command('EHLO client.oakfield.sch.uk')).toMatch(/^250/);
  expect(await raw.command(`MAIL FROM:<${SENDER}>`)).toMatch(/^250/);
  expect(await raw.command(`RCPT TO:<${RECIPIENT}>`)).toMatch(/^250/);
  expect(await raw.command('DATA')).toMatch(/^354/);
  return raw;
}

/** Retries for up to a second while the server has not yet noticed that a client left. */
async function openWhenFree(port: number): Promise<{ client: RawSmtp; greeting: string }> {
  for (let attempt = 0; ; attempt++) {
    const opened = await RawSmtp.open(port);
    if (opened.greeting.startsWith('220') || attempt === 20) return opened;
    opened.client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function spoolFiles(directory: string): Promise<string[]> {
  return existsSync(directory) ? readdir(directory) : [];
}

describe('accepting a message', () => {
  it('hands the handler exactly the bytes sent, the envelope as given (local parts keep their case, RFC 5321 §2.4) and the client, then removes the spool file', async () => {
    const { port, received, spoolDirectory } = await start();
    const info = await sendRaw(port, MESSAGE, ['Parent.Two@Example.ORG', 'office@oakfield.sch.uk']);
    expect(info.response).toBe('250 2.0.0 Delivered');
    expect(received).toHaveLength(1);
    const [{ message, bytes }] = received as [Received];
    expect(bytes.toString('latin1')).toBe(MESSAGE);
    expect(message.sizeBytes).toBe(Buffer.byteLength(MESSAGE));
    expect(message.envelope).toEqual({ mailFrom: SENDER, rcptTo: ['Parent.Two@example.org', 'office@oakfield.sch.uk'] }); // nodemailer, the client, lower-cases domains
    expect(message.client).toMatchObject({ address: '127.0.0.1', secure: false, user: undefined });
    expect(message.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await spoolFiles(spoolDirectory)).toEqual([]);
  });

  it('spools a multi-megabyte message byte for byte, across many chunks', async () => {
    const { port, received } = await start({ maxMessageBytes: 8 * 1024 * 1024 });
    const lines = Array.from({ length: 40_000 }, (_, index) => `${index % 7 === 0 ? '.' : ''}line ${index} ${'y'.repeat(index % 90)}`);
    const big = `Subject: big\r\n\r\n${lines.join('\r\n')}\r\n`;
    await sendRaw(port, big);
    expect(received[0]?.message.sizeBytes).toBe(Buffer.byteLength(big));
    expect(received[0]?.bytes.equals(Buffer.from(big, 'latin1'))).toBe(true);
  });

  it('unstuffs leading dots and keeps the rest of each line as sent', async () => {
    const { port, received } = await start();
    const raw = await openData(port);
    raw.write('Subject: dots\r\n\r\n..leading dot\r\n...\r\nend\r\n.\r\n');
    expect(await raw.reply()).toMatch(/^250/);
    raw.close();
    expect(received[0]?.bytes.toString('latin1')).toBe('Subject: dots\r\n\r\n.leading dot\r\n..\r\nend\r\n');
  });

  it("passes the handler's refusal on, and answers 451 when the handler fails or gives no valid code", async () => {
    const answers: Array<() => Promise<SmtpReply>> = [
      async () => ({ code: 550, message: '5.7.1 Message refused: a pupil is named in the subject' }),
      async () => {
        throw new Error('next hop exploded with private details');
      },
      async () => ({ code: 999, message: 'nonsense' }),
    ];
    const { port, spoolDirectory } = await start({}, () => (answers.shift() as () => Promise<SmtpReply>)());
    await expect(sendRaw(port, MESSAGE)).rejects.toMatchObject({ responseCode: 550, response: '550 5.7.1 Message refused: a pupil is named in the subject' });
    const fault = sendRaw(port, MESSAGE);
    await expect(fault).rejects.toMatchObject({ responseCode: 451 });
    await expect(fault).rejects.toMatchObject({ response: '451 4.3.0 Temporary local problem, please try again later' });
    await expect(sendRaw(port, MESSAGE)).rejects.toMatchObject({ responseCode: 451 });
    expect(await spoolFiles(spoolDirectory)).toEqual([]);
  });

  it('answers 451 when a message too large to hold in memory cannot be written to the spool', async () => {
    const server = createInboundServer(
      {
        host: '127.0.0.1',
        port: 0,
        allow: ['127.0.0.1/32'],
        senderDomains: ['oakfield.sch.uk'],
        maxMessageBytes: 1000,
        maxRecipients: 1,
        maxClients: 2,
        maxConnectionsPerIp: 2,
        socketTimeoutMs: 5000,
        requireTls: false,
        spoolDirectory: join(spoolRoot, 'spool-ok'),
        keepInMemoryBytes: 0,
      },
      accept,
    );
    running.push(server);
    const { port } = await server.listen();
    await rm(join(spoolRoot, 'spool-ok'), { recursive: true });
    await writeFile(join(spoolRoot, 'spool-ok'), 'now a file');
    await expect(sendRaw(port, MESSAGE)).rejects.toMatchObject({ responseCode: 451 });
  });
});

describe('who may relay', () => {
  it('refuses at connect a client outside the allow-list', async () => {
    const { port } = await start({ allow: ['10.0.0.0/8'] });
    const { client: raw, greeting } = await RawSmtp.open(port);
    expect(greeting).toBe('554 5.7.1 This gateway does not relay for your address');
    await raw.whenClosed();
  });

  it('takes the null sender from an allowed client (an out-of-office reply) and hands it on to be scanned', async () => {
    const { port, received } = await start();
    const { client: raw } = await RawSmtp.open(port);
    await raw.command('EHLO client');
    expect(await raw.command('MAIL FROM:<>')).toMatch(/^250/);
    expect(await raw.command(`RCPT TO:<${RECIPIENT}>`)).toMatch(/^250/);
    expect(await raw.command('DATA')).toMatch(/^354/);
    raw.write(`Auto-Submitted: auto-replied\r\n${MESSAGE}.\r\n`);
    expect(await raw.reply()).toMatch(/^250/);
    raw.close();
    expect(received[0]?.message.envelope).toEqual({ mailFrom: '', rcptTo: [RECIPIENT] });
  });

  it('refuses the null sender from a client neither allowed nor logged in', async () => {
    const users = new Map([['copier', { passwordHash: await hashPassword('photocopier-secret'), senders: 'any' as const }]]);
    const { port } = await start({ allow: ['10.0.0.0/8'], tls: pair, auth: { users } });
    const { client: raw } = await RawSmtp.open(port);
    await raw.command('EHLO client');
    expect(await raw.command('MAIL FROM:<>')).toMatch(/^530 5\.7\.0/);
    raw.close();
  });

  it("refuses a school's sender from another school's network on a shared gateway, unless the client logged in", async () => {
    // Both networks may relay; only Elmwood's may send as Elmwood. Oakfield names no networks of its own.
    const users = new Map([['elmwood-relay', { passwordHash: await hashPassword('elmwood-relay-secret'), senders: ['elmwood.sch.uk'] }]]);
    const { port } = await start({
      allow: ['127.0.0.0/8'],
      senderDomains: ['oakfield.sch.uk', 'elmwood.sch.uk'],
      senderNetworks: [{ domains: ['elmwood.sch.uk'], allow: ['127.0.0.2/32'] }],
      tls: pair,
      auth: { users },
    });
    const { client: raw } = await RawSmtp.open(port);
    await raw.command('EHLO client');
    expect(await raw.command('MAIL FROM:<head@elmwood.sch.uk>')).toBe('550 5.7.1 Sender domain is not relayed from your address');
    expect(await raw.command('MAIL FROM:<head@juniors.elmwood.sch.uk>')).toMatch(/^550 5\.7\.1/);
    expect(await raw.command(`MAIL FROM:<${SENDER}>`)).toMatch(/^250/);
    raw.close();
    const own = await RawSmtp.open(port, undefined, '127.0.0.2');
    await own.client.command('EHLO elmwood');
    expect(await own.client.command('MAIL FROM:<head@elmwood.sch.uk>')).toMatch(/^250/);
    own.client.close();
    const loggedIn = client(port, { auth: { user: 'elmwood-relay', pass: 'elmwood-relay-secret' } });
    try {
      expect((await loggedIn.sendMail({ envelope: { from: 'office@elmwood.sch.uk', to: [RECIPIENT] }, raw: MESSAGE })).accepted).toEqual([RECIPIENT]);
    } finally {
      loggedIn.close();
    }
  });

  it('reports every refusal with its reason, stage and client, and never the address', async () => {
    const refusals: RefusalReport[] = [];
    const { port } = await start({ onRefusal: (refusal) => refusals.push(refusal) });
    const { client: raw } = await RawSmtp.open(port);
    await raw.command('EHLO client');
    expect(await raw.command('MAIL FROM:<someone@elsewhere.org>')).toMatch(/^550/);
    expect(await raw.command(`MAIL FROM:<${SENDER}>`)).toMatch(/^250/);
    expect(await raw.command('RCPT TO:<user@[127.0.0.1]>')).toMatch(/^550/);
    raw.close();
    expect(refusals.map(({ code, stage, client }) => ({ code, stage, client }))).toEqual([
      { code: 'sender-domain-not-allowed', stage: 'mail', client: '127.0.0.1' },
      { code: 'recipient-route-refused', stage: 'rcpt', client: '127.0.0.1' },
    ]);
    expect(JSON.stringify(refusals)).not.toContain('elsewhere');
  });

  it.each([
    ['MAIL FROM:<someone@elsewhere.org>', /^550 5\.7\.1 Sender domain/],
    ['MAIL FROM:<someone@oakfield.sch.uk.evil.org>', /^550 5\.7\.1 Sender domain/],
  ])('refuses %s', async (command, reply) => {
    const { port } = await start();
    const { client: raw } = await RawSmtp.open(port);
    await raw.command('EHLO client');
    expect(await raw.command(command)).toMatch(reply);
    raw.close();
  });

  it.each([
    ['RCPT TO:<parent>', /^501 /],
    ['RCPT TO:<postmaster>', /^550 5\.1\.3 /],
    ['RCPT TO:<user%victim.example@example.org>', /^550 5\.7\.1 /],
    ['RCPT TO:<"user@victim.example"@example.org>', /^5\d\d /],
    ['RCPT TO:<"user%victim.example"@example.org>', /^550 5\.7\.1 /],
    ['RCPT TO:<victim.example!user@example.org>', /^550 5\.7\.1 /],
    ['RCPT TO:<user@[127.0.0.1]>', /^550 5\.7\.1 /],
    ['RCPT TO:<user@[IPv6:::1]>', /^550 5\.7\.1 /],
    ['RCPT TO:<user@localhost>', /^550 5\.7\.1 /],
    ['RCPT TO:<user@intranet>', /^550 5\.7\.1 /],
    ['RCPT TO:<@relay.example.org:user@localhost>', /^550 5\.7\.1 /],
  ])('refuses the relay trick %s', async (command, reply) => {
    const { port } = await start();
    const { client: raw } = await RawSmtp.open(port);
    await raw.command('EHLO client');
    expect(await raw.command(`MAIL FROM:<${SENDER}>`)).toMatch(/^250/);
    expect(await raw.command(command)).toMatch(reply);
    raw.close();
  });

  it('drops a source route (RFC 5321 appendix C) instead of following it', async () => {
    const { port, received } = await start();
    const raw = await (async () => {
      const { client: opened } = await RawSmtp.open(port);
      await opened.command('EHLO client');
      await opened.command(`MAIL FROM:<${SENDER}>`);
      expect(await opened.command('RCPT TO:<@relay-one.example,@relay-two.example:user@example.org>')).toMatch(/^250/);
      expect(await opened.command('DATA')).toMatch(/^354/);
      return opened;
    })();
    raw.write(`${MESSAGE}.\r\n`);
    expect(await raw.reply()).toMatch(/^250/);
    raw.close();
    expect(received[0]?.message.envelope.rcptTo).toEqual(['user@example.org']);
  });

  it('lets a client outside the allow-list relay only after AUTH over TLS', async () => {
    const users = new Map([['scanner@oakfield.sch.uk', { passwordHash: await hashPassword('photocopier-secret'), senders: 'any' as const }]]);
    const { port, received } = await start({ allow: ['10.0.0.0/8'], tls: pair, auth: { users } });
    await expect(sendRaw(port, MESSAGE, [RECIPIENT], { requireTLS: true })).rejects.toMatchObject({ responseCode: 530 });
    await expect(sendRaw(port, MESSAGE, [RECIPIENT], { auth: { user: 'scanner@oakfield.sch.uk', pass: 'wrong' } })).rejects.toMatchObject({ responseCode: 535 });
    await sendRaw(port, MESSAGE, [RECIPIENT], { auth: { user: 'Scanner@oakfield.sch.uk', pass: 'photocopier-secret' } });
    expect(received).toHaveLength(1);
    expect(received[0]?.message.client).toMatchObject({ secure: true, user: 'scanner@oakfield.sch.uk' });
  });

  it('refuses AUTH with 454 after too many failures from one address, before checking even the right password', async () => {
    const users = new Map([['scanner@oakfield.sch.uk', { passwordHash: await hashPassword('photocopier-secret'), senders: 'any' as const }]]);
    const refusals: { code: string }[] = [];
    const { port, received } = await start({
      allow: ['10.0.0.0/8'],
      tls: pair,
      auth: { users, failureLimit: { perAddress: 3, total: 100 } },
      onRefusal: (refusal) => refusals.push(refusal),
    });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(sendRaw(port, MESSAGE, [RECIPIENT], { auth: { user: 'scanner@oakfield.sch.uk', pass: `guess-${attempt}` } })).rejects.toMatchObject({ responseCode: 535 });
    }
    await expect(sendRaw(port, MESSAGE, [RECIPIENT], { auth: { user: 'scanner@oakfield.sch.uk', pass: 'photocopier-secret' } })).rejects.toMatchObject({ responseCode: 454 });
    expect(received).toHaveLength(0);
    expect(refusals.map((refusal) => refusal.code)).toContain('authentication-throttled');
  });

  it('bounds the password hashes an AUTH flood runs at once, and answers the attempts beyond the queue 454 without hashing', async () => {
    const users = new Map([['scanner@oakfield.sch.uk', { passwordHash: await hashPassword('photocopier-secret'), senders: 'any' as const }]]);
    const passwordHashes = new ConcurrencyLimit({ running: 2, waiting: 3 });
    const refusals: string[] = [];
    const { port, received } = await start({
      allow: ['10.0.0.0/8'],
      maxClients: 40,
      maxConnectionsPerIp: 40,
      tls: pair,
      // Failures are not what is limited here: a flood of right and wrong passwords alike.
      auth: { users, failureLimit: { perAddress: 1_000, total: 1_000 }, passwordHashes },
      onRefusal: (refusal) => refusals.push(refusal.code),
    });
    let mostSeen = 0;
    const watch = setInterval(() => (mostSeen = Math.max(mostSeen, passwordHashes.load.running)), 5);
    const attempts = Array.from({ length: 10 }, (_, index) =>
      sendRaw(port, MESSAGE, [RECIPIENT], { auth: { user: 'scanner@oakfield.sch.uk', pass: index % 2 === 0 ? 'photocopier-secret' : `guess-${index}` } }).then(
        () => 250,
        (error: { responseCode?: number }) => error.responseCode ?? 0,
      ),
    );
    const codes = await Promise.all(attempts);
    clearInterval(watch);
    expect(passwordHashes.load.mostRunning).toBe(2);
    expect(mostSeen).toBeLessThanOrEqual(2);
    expect(passwordHashes.load).toMatchObject({ running: 0, waiting: 0 });
    // Two hashing and three waiting when the flood arrived: at least the other five were turned away at once.
    expect(codes.filter((code) => code === 454).length).toBeGreaterThanOrEqual(5);
    expect(codes.every((code) => [250, 535, 454].includes(code))).toBe(true);
    expect(refusals.filter((code) => code === 'authentication-busy')).toHaveLength(codes.filter((code) => code === 454).length);
    expect(received).toHaveLength(codes.filter((code) => code === 250).length);
  });

  it('judges the client named in a PROXY header from a trusted load balancer, not the balancer itself', async () => {
    const { port, received } = await start({ allow: ['10.0.0.0/8'], proxyProtocol: { trustedProxies: [LOAD_BALANCER] } });
    const outside = await RawSmtp.open(port, 'PROXY TCP4 192.0.2.1 127.0.0.1 40000 25\r\n', LOAD_BALANCER);
    expect(outside.greeting).toMatch(/^554 5\.7\.1/);
    outside.client.close();
    const { client: raw, greeting } = await RawSmtp.open(port, 'PROXY TCP4 10.1.2.3 127.0.0.1 40000 25\r\n', LOAD_BALANCER);
    expect(greeting).toMatch(/^220/);
    await raw.command('EHLO client');
    await raw.command(`MAIL FROM:<${SENDER}>`);
    await raw.command(`RCPT TO:<${RECIPIENT}>`);
    expect(await raw.command('DATA')).toMatch(/^354/);
    raw.write(`${MESSAGE}.\r\n`);
    expect(await raw.reply()).toMatch(/^250/);
    raw.close();
    expect(received[0]?.message.client.address).toBe('10.1.2.3');
  });

  it('refuses a peer that is not a trusted proxy before reading its PROXY header, and says why', async () => {
    const refused: { code: string; peer: string }[] = [];
    const { port, received } = await start({
      allow: ['10.0.0.0/8'],
      proxyProtocol: { trustedProxies: [LOAD_BALANCER] },
      onRefusal: (refusal) => refused.push({ code: refusal.code, peer: refusal.client }),
    });
    // An allowed address claimed by a peer that is not the load balancer: believed, it could relay.
    const { client: raw, greeting } = await RawSmtp.open(port, 'PROXY TCP4 10.1.2.3 127.0.0.1 40000 25\r\n', '127.0.0.1');
    expect(greeting).toBe('554 5.7.1 This gateway takes connections only through its load balancer');
    expect(await raw.command('EHLO client')).toBe('closed');
    await raw.whenClosed();
    expect(refused).toEqual([{ code: 'untrusted-proxy-peer', peer: '127.0.0.1' }]);
    expect(received).toHaveLength(0);
  });

  it('refuses to build with options that cannot be honoured', () => {
    const base = {
      host: '127.0.0.1',
      port: 0,
      allow: [],
      senderDomains: ['oakfield.sch.uk'],
      maxMessageBytes: 1,
      maxRecipients: 1,
      maxClients: 1,
      maxConnectionsPerIp: 1,
      socketTimeoutMs: 1,
      requireTls: false,
      spoolDirectory: spoolRoot,
    };
    expect(() => createInboundServer({ ...base, requireTls: true }, accept)).toThrow(InboundOptionsError);
    expect(() => createInboundServer({ ...base, auth: { users: new Map() } }, accept)).toThrow(InboundOptionsError);
    expect(() => createInboundServer({ ...base, senderDomains: [] }, accept)).toThrow(InboundOptionsError);
    expect(() => createInboundServer({ ...base, maxRecipients: 0 }, accept)).toThrow(InboundOptionsError);
    expect(() => createInboundServer({ ...base, proxyProtocol: { trustedProxies: [] } }, accept)).toThrow(/proxyProtocol\.trustedProxies/);
  });
});

describe('SMTP smuggling', () => {
  it.each([
    ['<LF>.<CR><LF>', '\n.\r\n'],
    ['<LF>.<LF>', '\n.\n'],
    ['<CR>.<CR><LF>', '\r.\r\n'],
    ['<CR><LF>.<LF>', '\r\n.\n'],
  ])('refuses a message whose data holds %s, and runs none of the smuggled commands', async (_name, fakeEnd) => {
    const { port, received } = await start();
    const raw = await openData(port);
    raw.write(`Subject: hello\r\n\r\nfirst part${fakeEnd}MAIL FROM:<${SENDER}>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n`);
    expect(await raw.reply()).toBe('550 5.5.2 Bare CR or LF in message data; lines must end with CRLF');
    expect(await raw.command('NOOP')).toMatch(/^250/);
    raw.close();
    expect(received).toHaveLength(0);
  });
});

describe('limits', () => {
  it('answers 552 to a message over the size limit and never hands it on', async () => {
    const { port, received, spoolDirectory } = await start({ maxMessageBytes: 10_000 });
    const big = `${MESSAGE}${'x'.repeat(76)}\r\n`.repeat(400);
    await expect(sendRaw(port, big)).rejects.toMatchObject({ responseCode: 552 });
    expect(received).toHaveLength(0);
    // The 552 goes out at once; the spool file is removed as the server's side winds down.
    await vi.waitFor(async () => expect(await spoolFiles(spoolDirectory)).toEqual([]));
  });

  it('cuts off a client that keeps streaming past the size limit: 552 at once, then the connection is closed', async () => {
    const { port, received, spoolDirectory } = await start({ maxMessageBytes: 10_000 });
    const raw = await openData(port);
    raw.write(`${MESSAGE}`);
    const line = `${'x'.repeat(76)}\r\n`;
    // Far past the limit and never the final dot: only a cut-off can answer this.
    for (let sent = 0; sent < 400; sent++) raw.write(line);
    expect(await raw.reply()).toBe('552 5.3.4 Message exceeds the maximum size');
    await raw.whenClosed();
    expect(received).toHaveLength(0);
    // The server removes the spool file as its side of the connection winds down.
    await vi.waitFor(async () => expect(await spoolFiles(spoolDirectory)).toEqual([]));
  });

  it('refuses MAIL FROM with a declared SIZE over the limit', async () => {
    const { port } = await start({ maxMessageBytes: 10_000 });
    const { client: raw } = await RawSmtp.open(port);
    expect(await raw.command('EHLO client')).toContain('SIZE 10000');
    expect(await raw.command(`MAIL FROM:<${SENDER}> SIZE=20000`)).toMatch(/^552/);
    raw.close();
  });

  it('answers 452 4.5.3 past the recipient limit, without counting a repeated recipient', async () => {
    const { port } = await start({ maxRecipients: 2 });
    const { client: raw } = await RawSmtp.open(port);
    await raw.command('EHLO client');
    await raw.command(`MAIL FROM:<${SENDER}>`);
    expect(await raw.command('RCPT TO:<a@example.org>')).toMatch(/^250/);
    expect(await raw.command('RCPT TO:<b@example.org>')).toMatch(/^250/);
    expect(await raw.command('RCPT TO:<B@example.org>')).toMatch(/^250/);
    expect(await raw.command('RCPT TO:<c@example.org>')).toBe('452 4.5.3 Too many recipients');
    raw.close();
  });

  it('answers 421 past the per-address connection limit, and frees the slot when a client leaves', async () => {
    const { port } = await start({ maxConnectionsPerIp: 2 });
    const first = await RawSmtp.open(port);
    const second = await RawSmtp.open(port);
    expect(second.greeting).toMatch(/^220/);
    const third = await RawSmtp.open(port);
    expect(third.greeting).toBe('421 4.7.0 Too many connections from your address, try again later');
    first.client.close();
    const fourth = await openWhenFree(port);
    expect(fourth.greeting).toMatch(/^220/);
    second.client.close();
    fourth.client.close();
  });

  it('answers 421 past the total connection limit', async () => {
    const { port } = await start({ maxClients: 1 });
    const first = await RawSmtp.open(port);
    const second = await RawSmtp.open(port);
    expect(second.greeting).toMatch(/^421/);
    first.client.close();
  });

  it('disconnects an idle client with 421 after the socket timeout', async () => {
    const { port } = await start({ socketTimeoutMs: 300 });
    const { client: raw } = await RawSmtp.open(port);
    expect(await raw.reply()).toMatch(/^421/);
    await raw.whenClosed();
  });
});

describe('TLS', () => {
  it('refuses MAIL FROM before STARTTLS when TLS is required, and accepts it after', async () => {
    const { port, received } = await start({ tls: pair, requireTls: true });
    const { client: raw } = await RawSmtp.open(port);
    expect(await raw.command('EHLO client')).toContain('STARTTLS');
    expect(await raw.command(`MAIL FROM:<${SENDER}>`)).toBe('530 5.7.0 Must issue a STARTTLS command first');
    raw.close();
    await sendRaw(port, MESSAGE, [RECIPIENT], { requireTLS: true });
    expect(received[0]?.message.client.secure).toBe(true);
  });

  it('delivers from swaks over STARTTLS', async () => {
    const { port, received } = await start({ tls: pair, requireTls: true });
    const file = join(spoolRoot, 'swaks.eml');
    await writeFile(file, MESSAGE);
    const { stdout } = await run('swaks', [
      '--server',
      '127.0.0.1',
      '--port',
      String(port),
      '--from',
      SENDER,
      '--to',
      RECIPIENT,
      '--data',
      `@${file}`,
      '--tls',
      '--helo',
      'swaks.oakfield.sch.uk',
    ]);
    expect(stdout).toMatch(/<~ +250 2\.0\.0 Delivered/);
    expect(received[0]?.message.client).toMatchObject({ secure: true, hostname: 'swaks.oakfield.sch.uk' });
    // swaks always puts a CRLF of its own before the final dot.
    expect(received[0]?.bytes.toString('latin1')).toBe(`${MESSAGE}\r\n`);
  });

  it('requires a client certificate issued by the configured CA when asked to', async () => {
    const ca = await generate([{ name: 'commonName', value: 'Oakfield test CA' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    const issued = await generate([{ name: 'commonName', value: 'relay.oakfield.sch.uk' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      ca: { key: ca.private, cert: ca.cert },
      extensions: [{ name: 'extKeyUsage', clientAuth: true }],
    });
    const errors: Error[] = [];
    const { port, received } = await start({ tls: { ...pair, ca: ca.cert }, requireClientCertificate: true, onError: (error) => errors.push(error) });
    const { client: raw } = await RawSmtp.open(port);
    await raw.command('EHLO client');
    expect(await raw.command(`MAIL FROM:<${SENDER}>`)).toBe('530 5.7.0 A trusted client certificate is required');
    raw.close();
    await expect(sendRaw(port, MESSAGE, [RECIPIENT], { requireTLS: true })).rejects.toThrow();
    // Once per failed handshake, so the log and /metrics count it once.
    expect(errors.map((error) => (error as NodeJS.ErrnoException).code)).toEqual(['ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE']);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, requireTLS: true, tls: { rejectUnauthorized: false, key: issued.private, cert: issued.cert } });
    await transport.sendMail({ envelope: { from: SENDER, to: [RECIPIENT] }, raw: MESSAGE });
    transport.close();
    expect(received).toHaveLength(1);
  });

  it('refuses TLS older than 1.2, reporting the failed handshake to onError', async () => {
    const errors: Error[] = [];
    const { port } = await start({ tls: pair, onError: (error) => errors.push(error) });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, requireTLS: true, tls: { rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' } });
    await expect(transport.sendMail({ envelope: { from: SENDER, to: [RECIPIENT] }, raw: MESSAGE })).rejects.toThrow();
    transport.close();
    expect(errors.map((error) => (error as NodeJS.ErrnoException).code)).toEqual(['ERR_SSL_UNSUPPORTED_PROTOCOL']);
  });
});

describe('close(graceMs)', () => {
  it('lets a message in DATA finish, then answers 421 to the rest after the grace period', async () => {
    let release: () => void = () => undefined;
    const handlerStarted = new Promise<void>((started) => {
      release = started;
    });
    const { port, server } = await start({}, async () => {
      release();
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { code: 250, message: '2.0.0 Delivered' };
    });
    const idle = await RawSmtp.open(port);
    await idle.client.command('EHLO idle');
    const inFlight = sendRaw(port, MESSAGE);
    await handlerStarted;
    const closing = server.close(600);
    await expect(inFlight).resolves.toMatchObject({ response: '250 2.0.0 Delivered' });
    await expect(RawSmtp.open(port)).rejects.toThrow();
    expect(await idle.client.reply()).toMatch(/^421/);
    await closing;
  });
});
