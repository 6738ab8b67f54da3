import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createInboundServer, type InboundOptions, type InboundServer } from '../../src/smtp/inbound-server.js';
import { hashPassword } from '../../src/smtp/password-hash.js';
import { selfSignedCertificate } from '../../src/smtp/self-signed.js';
import { RawSmtp } from './support/raw-smtp.js';

/*
 * smtp-server holds its greeting on a setTimeout. With setTimeout faked and never advanced, a
 * greeting that arrives cannot have waited for it, and a client that talks first is always early:
 * no assertion here depends on how fast the machine is.
 */

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const UNPATCHED = 'node_modules/smtp-server is not patched (patches/README.md): run `npm ci`, whose postinstall applies patches/';

let spoolRoot: string;
let pair: { key: string; cert: string };
const running: InboundServer[] = [];

beforeAll(async () => {
  spoolRoot = await mkdtemp(join(tmpdir(), 'hallmonitor-greeting-'));
  pair = await selfSignedCertificate('localhost');
});

afterEach(async () => {
  // The server's close waits on real timers.
  vi.useRealTimers();
  await Promise.all(running.splice(0).map((server) => server.close(0)));
});

afterAll(async () => {
  await rm(spoolRoot, { recursive: true, force: true });
});

async function start(overrides: Partial<InboundOptions>): Promise<number> {
  const server = createInboundServer(
    {
      host: '127.0.0.1',
      port: 0,
      allow: ['127.0.0.1/32'],
      senderDomains: ['oakfield.sch.uk'],
      maxMessageBytes: 64 * 1024,
      maxRecipients: 3,
      maxClients: 20,
      maxConnectionsPerIp: 10,
      socketTimeoutMs: 5_000,
      requireTls: false,
      spoolDirectory: join(spoolRoot, `spool-${Math.random().toString(36).slice(2)}`),
      ...overrides,
    },
    async () => ({ code: 250, message: '2.0.0 Delivered' }),
  );
  running.push(server);
  return (await server.listen()).port;
}

/** Clients outside the allow-list who may still connect, to authenticate. */
async function withAuth(): Promise<Partial<InboundOptions>> {
  return {
    allow: ['10.0.0.0/8'],
    tls: pair,
    auth: { users: new Map([['scanner@oakfield.sch.uk', { passwordHash: await hashPassword('photocopier-secret'), senders: 'any' as const }]]) },
  };
}

function fakeTheGreetingTimer(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
}

/** Lets the event loop run until smtp-server has scheduled a timer (it accepts the connection on a later turn). */
async function untilATimerIsScheduled(): Promise<void> {
  while (vi.getTimerCount() === 0) await new Promise((resolve) => setImmediate(resolve));
}

describe('the patch to smtp-server', () => {
  it('is applied to both of its builds, for the version it was written for', () => {
    const require = createRequire(import.meta.url);
    const installed = (JSON.parse(readFileSync(require.resolve('smtp-server/package.json'), 'utf8')) as { version: string }).version;
    const patches = readdirSync(join(REPO, 'patches')).filter((name) => name.startsWith('smtp-server+'));
    expect(patches, `patches/ has no patch for smtp-server ${installed}; package.json pins the version a patch is for`).toEqual([`smtp-server+${installed}.patch`]);
    for (const build of ['esm', 'cjs']) {
      const connection = readFileSync(join(dirname(require.resolve('smtp-server/package.json')), 'dist', build, 'smtp-connection.js'), 'utf8');
      expect(connection.includes('this._server.options.greetingDelay'), `${build} build: ${UNPATCHED}`).toBe(true);
    }
  });
});

describe('the greeting', () => {
  it('comes at once to a client on the allow-list, which may even talk before it', async () => {
    fakeTheGreetingTimer();
    const port = await start({});
    const { client, greeting } = await RawSmtp.open(port, 'EHLO sending-service.example\r\n');
    expect(greeting, UNPATCHED).toMatch(/^220 /);
    expect(await client.reply()).toMatch(/^250[ -]/);
    expect(vi.getTimerCount()).toBe(0);
    client.close();
  });

  it('comes at once to a client on the allow-list named by a PROXY header, not to the balancer itself', async () => {
    fakeTheGreetingTimer();
    const port = await start({ ...(await withAuth()), proxyProtocol: { trustedProxies: ['127.0.0.1/32'] } });
    const { client, greeting } = await RawSmtp.open(port, 'PROXY TCP4 10.1.2.3 127.0.0.1 40000 25\r\nEHLO sending-service.example\r\n');
    expect(greeting, UNPATCHED).toMatch(/^220 /);
    expect(await client.reply()).toMatch(/^250[ -]/);
    client.close();
    const balancer = await RawSmtp.open(port, 'PROXY TCP4 127.0.0.1 127.0.0.1 40000 25\r\nEHLO balancer.example\r\n');
    expect(balancer.greeting).toMatch(/^421 .*You talk too soon/);
    balancer.client.close();
  });

  it('still refuses a client outside the allow-list that talks before it', async () => {
    fakeTheGreetingTimer();
    const port = await start(await withAuth());
    const { client, greeting } = await RawSmtp.open(port, 'EHLO early-talker.example\r\n');
    expect(greeting).toMatch(/^421 .*You talk too soon/);
    client.close();
  });

  it("waits smtp-server's 100 ms for a client outside the allow-list", async () => {
    fakeTheGreetingTimer();
    const port = await start(await withAuth());
    const opening = RawSmtp.open(port);
    await untilATimerIsScheduled();
    vi.advanceTimersByTime(99);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1);
    const { client, greeting } = await opening;
    expect(greeting).toMatch(/^220 /);
    expect(await client.command('EHLO patient.example')).toMatch(/^250[ -]/);
    client.close();
  });
});
