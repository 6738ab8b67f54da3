import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { NextHop } from '../../src/delivery/next-hop.js';
import { smtpNextHop } from '../../src/delivery/next-hop.js';
import { DeliveryError } from '../../src/delivery/delivery-error.js';
import { loopbackCertificate } from '../actions/support/loopback-certificate.js';
import { startNextHop, type RunningNextHop } from '../actions/support/next-hop-server.js';
import { awkwardMessage, spool, spoolDirectory } from '../actions/support/spool.js';

const SENDER = 'teacher@school.sch.uk';
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function nextHopServer(behaviour: Parameters<typeof startNextHop>[0] = {}): Promise<RunningNextHop> {
  const server = await startNextHop(behaviour);
  cleanups.push(() => server.close());
  return server;
}

function relay(url: string, options: Parameters<typeof smtpNextHop>[1] = {}): NextHop {
  const nextHop = smtpNextHop(url, options);
  cleanups.push(() => nextHop.close());
  return nextHop;
}

async function message(rcptTo: readonly string[], raw = awkwardMessage(), mailFrom = SENDER) {
  return spool(await spoolDirectory(), raw, mailFrom, rcptTo);
}

describe('smtpNextHop delivering', () => {
  it('relays the original bytes unchanged with the original envelope, over STARTTLS when offered, and passes on the 250', async () => {
    const certificate = await loopbackCertificate();
    const server = await nextHopServer({ certificate });
    const raw = awkwardMessage();
    const { reply } = await relay(server.url, { tls: { require: false, verify: true, ca: certificate.cert } }).deliver(
      await message(['parent@example.org', 'head@school.sch.uk'], raw),
    );
    expect(reply).toEqual({ code: 250, message: 'Ok: queued as TEST1' });
    expect(server.received).toHaveLength(1);
    const [received] = server.received;
    expect(received!.raw.equals(Buffer.concat([raw, Buffer.from('\r\n')]))).toBe(true);
    expect(received!.from).toBe(SENDER);
    expect(received!.to).toEqual(['parent@example.org', 'head@school.sch.uk']);
    expect(received!.secure).toBe(true);
  });

  it('keeps a message that ends with a line break byte for byte', async () => {
    const server = await nextHopServer();
    const raw = Buffer.concat([awkwardMessage(), Buffer.from('\r\n')]);
    await relay(server.url).deliver(await message(['parent@example.org'], raw));
    expect(server.received[0]!.raw.equals(raw)).toBe(true);
  });

  it('sends the null sender as MAIL FROM:<>', async () => {
    const server = await nextHopServer();
    const { reply } = await relay(server.url).deliver(await message(['parent@example.org'], awkwardMessage(), ''));
    expect(reply.code).toBe(250);
    expect(server.received[0]!.from).toBe('');
  });

  it('reuses one pooled session for consecutive messages, and opens one per message without the pool', async () => {
    const pooled = await nextHopServer();
    const nextHop = relay(pooled.url);
    for (let i = 0; i < 3; i += 1) expect((await nextHop.deliver(await message(['parent@example.org']))).reply.code).toBe(250);
    expect(pooled.received).toHaveLength(3);
    expect(pooled.sessions()).toBe(1);

    const unpooled = await nextHopServer();
    const single = relay(unpooled.url, { pool: false });
    for (let i = 0; i < 2; i += 1) await single.deliver(await message(['parent@example.org']));
    expect(unpooled.received).toHaveLength(2);
    expect(unpooled.sessions()).toBe(2);
  });

  it('never opens more sessions than maxConnections, and delivers every message', async () => {
    const server = await nextHopServer();
    const nextHop = relay(server.url, { maxConnections: 2 });
    const messages = await Promise.all(Array.from({ length: 8 }, (_, i) => message([`parent${i}@example.org`])));
    const replies = await Promise.all(messages.map((m) => nextHop.deliver(m)));
    expect(replies.map((r) => r.reply.code)).toEqual(Array(8).fill(250));
    expect(server.sessions()).toBeLessThanOrEqual(2);
    expect(server.received.map((r) => r.to[0]).sort()).toEqual(messages.map((m) => m.envelope.rcptTo[0]).sort());
  });

  it('works with a relay that offers neither PIPELINING nor STARTTLS', async () => {
    const server = await nextHopServer({ plain: true });
    const { reply } = await relay(server.url).deliver(await message(['parent@example.org']));
    expect(reply.code).toBe(250);
    expect(server.received[0]!.secure).toBe(false);
  });
});

describe('smtpNextHop when recipients are refused: all or nothing', () => {
  for (const plain of [false, true]) {
    const kind = plain ? 'one command at a time' : 'with PIPELINING';
    it(`sends to nobody and answers 550 naming the refused recipients (${kind})`, async () => {
      const server = await nextHopServer({ plain, refuse: { 'gone@example.org': 550, 'also-gone@example.org': 553 } });
      const { reply } = await relay(server.url).deliver(await message(['parent@example.org', 'gone@example.org', 'also-gone@example.org']));
      expect(reply.code).toBe(550);
      expect(reply.message).toMatch(/^5\.1\.0 /);
      expect(reply.message).toContain('<gone@example.org>, <also-gone@example.org>');
      expect(reply.message).not.toContain('parent@example.org');
      expect(reply.message).not.toMatch(/[\r\n]/);
      expect(server.received).toEqual([]);
    });

    it(`sends to nobody and answers 451 when any recipient is deferred (${kind})`, async () => {
      const server = await nextHopServer({ plain, refuse: { 'busy@example.org': 452, 'gone@example.org': 550 } });
      const { reply } = await relay(server.url).deliver(await message(['parent@example.org', 'busy@example.org', 'gone@example.org']));
      expect(reply.code).toBe(451);
      expect(reply.message).toMatch(/^4\.4\.0 /);
      expect(server.received).toEqual([]);
    });
  }

  it('aborts the DATA it could not avoid with PIPELINING, and the next message on the pool still goes through once', async () => {
    const server = await nextHopServer({ refuse: { 'gone@example.org': 550 } });
    const nextHop = relay(server.url);
    expect((await nextHop.deliver(await message(['parent@example.org', 'gone@example.org']))).reply.code).toBe(550);
    await expect.poll(() => server.aborted()).toBe(1);
    expect((await nextHop.deliver(await message(['parent@example.org']))).reply.code).toBe(250);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.to).toEqual(['parent@example.org']);
  });

  it('passes on a permanent refusal when every recipient is refused', async () => {
    const server = await nextHopServer({ refuse: { 'gone@example.org': 550 } });
    const { reply } = await relay(server.url).deliver(await message(['gone@example.org']));
    expect(reply.code).toBe(550);
    expect(reply.message).toContain('<gone@example.org>');
    expect(server.received).toEqual([]);
  });

  it('answers 451 when every recipient is deferred', async () => {
    const server = await nextHopServer({ refuse: { 'busy@example.org': 450 } });
    const { reply } = await relay(server.url).deliver(await message(['busy@example.org']));
    expect(reply.code).toBe(451);
    expect(server.received).toEqual([]);
  });
});

describe('smtpNextHop when the message or the next hop fails', () => {
  it("passes on the next hop's permanent refusal of the message", async () => {
    const server = await nextHopServer({ refuseMessage: 554 });
    const { reply } = await relay(server.url).deliver(await message(['parent@example.org']));
    expect(reply.code).toBe(554);
    expect(reply.message).toContain('message refused');
  });

  it('answers 451 when the next hop defers the message', async () => {
    const server = await nextHopServer({ refuseMessage: 451 });
    const { reply } = await relay(server.url).deliver(await message(['parent@example.org']));
    expect(reply.code).toBe(451);
    expect(reply.message).toMatch(/^4\.4\.0 .*message refused/);
  });

  it('answers 451 4.4.1 when nothing listens at the next hop', async () => {
    const port = await closedPort();
    const { reply } = await relay(`smtp://127.0.0.1:${port}`, { timeoutMs: 2_000 }).deliver(await message(['parent@example.org']));
    expect(reply).toEqual({ code: 451, message: '4.4.1 the next hop is unreachable; try again later' });
  });

  it('answers 451 4.4.2 when the next hop never answers the end of DATA, and the 250 never comes', async () => {
    const server = await nextHopServer({ hang: true });
    const started = Date.now();
    const { reply } = await relay(server.url, { timeoutMs: 500 }).deliver(await message(['parent@example.org']));
    expect(reply.code).toBe(451);
    expect(reply.message).toMatch(/^4\.4\.2 /);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.received).toEqual([]);
  });

  it('answers 451 4.4.2 when the next hop accepts the connection but never greets', async () => {
    const silent = await silentServer();
    const { reply } = await relay(`smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`, { timeoutMs: 300 }).deliver(await message(['parent@example.org']));
    expect(reply.code).toBe(451);
    expect(reply.message).toMatch(/^4\.4\.2 /);
  });

  it('opens a new session when the next hop closed the pooled one while idle, delivering each message once', async () => {
    const server = await nextHopServer({ idleTimeoutMs: 200 });
    const nextHop = relay(server.url);
    expect((await nextHop.deliver(await message(['parent@example.org']))).reply.code).toBe(250);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await nextHop.deliver(await message(['head@school.sch.uk']))).reply.code).toBe(250);
    expect(server.received.map((r) => r.to)).toEqual([['parent@example.org'], ['head@school.sch.uk']]);
    expect(server.sessions()).toBe(2);
  });

  it('retries once on a new session when a pooled session is closed with 421 before DATA, delivering once', async () => {
    const server = await nextHopServer({ messagesPerSession: 1 });
    const nextHop = relay(server.url);
    expect((await nextHop.deliver(await message(['parent@example.org']))).reply.code).toBe(250);
    expect((await nextHop.deliver(await message(['head@school.sch.uk']))).reply.code).toBe(250);
    expect(server.received.map((r) => r.to)).toEqual([['parent@example.org'], ['head@school.sch.uk']]);
    expect(server.sessions()).toBe(2);
  });

  it('does not retry a new session the next hop closes with 421: 451, and nothing sent', async () => {
    const server = await nextHopServer({ messagesPerSession: 0 });
    const { reply } = await relay(server.url).deliver(await message(['parent@example.org']));
    expect(reply.code).toBe(451);
    expect(server.received).toEqual([]);
    expect(server.sessions()).toBe(1);
  });

  it('answers 451 when the spool file cannot be read, and sends nothing', async () => {
    const server = await nextHopServer();
    const missing = { ...(await message(['parent@example.org'])), path: '/nonexistent/hallmonitor/spool', bytes: undefined };
    const { reply } = await relay(server.url).deliver(missing);
    expect(reply.code).toBe(451);
    expect(server.received).toEqual([]);
    await expect.poll(() => server.aborted()).toBe(1);
  });

  it('refuses a next-hop URL it cannot use, at once', () => {
    for (const url of ['http://relay.example', 'smtp://', 'smtp://user:secret@relay.example', 'not a url']) {
      expect(() => smtpNextHop(url)).toThrow(DeliveryError);
    }
    expect(smtpNextHop('smtps://relay.example').description).toBe('smtps://relay.example:465');
    expect(smtpNextHop('smtp://relay.example:2525').description).toBe('smtp://relay.example:2525');
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function silentServer(): Promise<Server> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return server;
}
