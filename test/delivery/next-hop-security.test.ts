import { afterEach, describe, expect, it } from 'vitest';
import { smtpNextHop, type NextHop, type SmtpNextHopOptions } from '../../src/delivery/next-hop.js';
import { startNextHop, type NextHopBehaviour, type RunningNextHop } from '../actions/support/next-hop-server.js';
import { loopbackCertificate } from '../actions/support/loopback-certificate.js';
import { awkwardMessage, spool, spoolDirectory } from '../actions/support/spool.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function nextHopServer(behaviour: NextHopBehaviour): Promise<RunningNextHop> {
  const server = await startNextHop(behaviour);
  cleanups.push(() => server.close());
  return server;
}

function relay(url: string, options: SmtpNextHopOptions): NextHop {
  const nextHop = smtpNextHop(url, options);
  cleanups.push(() => nextHop.close());
  return nextHop;
}

async function message() {
  return spool(await spoolDirectory(), awkwardMessage(), 'teacher@school.sch.uk', ['parent@example.org']);
}

describe('the next hop: verified TLS and SMTP AUTH', () => {
  it('delivers over STARTTLS when the certificate verifies against the configured CA', async () => {
    const certificate = await loopbackCertificate();
    const server = await nextHopServer({ certificate });
    const { reply } = await relay(server.url, { tls: { require: true, verify: true, ca: certificate.cert } }).deliver(await message());
    expect(reply.code).toBe(250);
    expect(server.received.map((received) => received.secure)).toEqual([true]);
  });

  it('verifies by default: a certificate no trusted CA signed answers 451 and nothing is sent', async () => {
    const server = await nextHopServer({ certificate: await loopbackCertificate() });
    const { reply } = await relay(server.url, {}).deliver(await message());
    expect(reply.code).toBe(451);
    expect(server.received).toHaveLength(0);
  });

  it('answers 451 and sends nothing when the certificate does not verify', async () => {
    const server = await nextHopServer({ certificate: await loopbackCertificate() });
    const other = await loopbackCertificate();
    const { reply } = await relay(server.url, { tls: { require: true, verify: true, ca: other.cert } }).deliver(await message());
    expect(reply.code).toBe(451);
    expect(server.received).toHaveLength(0);
  });

  it('answers 451 rather than send in clear when TLS is required and the next hop does not offer it', async () => {
    const server = await nextHopServer({ plain: true });
    const { reply } = await relay(server.url, { tls: { require: true, verify: false } }).deliver(await message());
    expect(reply).toEqual({ code: 451, message: expect.stringMatching(/^4\.7\.0 no secure connection/) });
    expect(server.received).toHaveLength(0);
  });

  it('logs in when the next hop asks for credentials, and answers 451 (not 5xx) when they are refused', async () => {
    const login = { user: 'hallmonitor', pass: 'an invented relay password' };
    const certificate = await loopbackCertificate();
    const server = await nextHopServer({ login, certificate });
    const tls = { require: true, verify: true, ca: certificate.cert };
    const accepted = await relay(server.url, { tls, auth: { ...login } }).deliver(await message());
    expect(accepted.reply.code).toBe(250);
    const refused = await relay(server.url, { tls, auth: { ...login, pass: 'wrong' } }).deliver(await message());
    expect(refused.reply).toEqual({ code: 451, message: expect.stringMatching(/^4\.7\.0 the next hop refused the gateway's credentials/) });
    const anonymous = await relay(server.url, { tls }).deliver(await message());
    expect(anonymous.reply.code).toBeGreaterThanOrEqual(500);
    expect(server.received).toHaveLength(1);
  });
});
