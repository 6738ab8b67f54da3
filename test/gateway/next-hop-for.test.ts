import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextHopFor, startGateway, type GatewaySettings } from '../../src/gateway/start-gateway.js';
import { loopbackCertificate } from '../actions/support/loopback-certificate.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { awkwardMessage, spool, spoolDirectory } from '../actions/support/spool.js';
import { RawSmtp } from '../smtp/support/raw-smtp.js';
import { gatewaySettings, memoryLog } from './support/gateway-settings.js';

const TEACHER = 'teacher@stmarys-example.sch.uk';

/** One clean message through the gateway; the reply to its final dot. */
async function sendThrough(port: number): Promise<string> {
  const { client } = await RawSmtp.open(port);
  try {
    await client.command('EHLO test.example');
    await client.command(`MAIL FROM:<${TEACHER}>`);
    await client.command('RCPT TO:<parent@example.org>');
    await client.command('DATA');
    client.write(`From: ${TEACHER}\r\nTo: parent@example.org\r\nSubject: Trip\r\n\r\nPacked lunches on Friday, please.\r\n`);
    return await client.command('.');
  } finally {
    client.close();
  }
}

/** Starts a gateway on `settings`, sends one message, stops it, and gives the reply the client had. */
async function replyFromGateway(settings: GatewaySettings): Promise<string> {
  const gateway = await startGateway(settings, memoryLog().logger);
  try {
    return await sendThrough(gateway.smtp.port);
  } finally {
    await gateway.stop();
  }
}

describe('the next hop from the configuration', () => {
  it('logs in with the configured user and password and checks the certificate against the configured CA file', async () => {
    const certificate = await loopbackCertificate();
    const login = { user: 'hallmonitor', pass: 'an invented relay password' };
    const server = await startNextHop({ login, certificate });
    const data = await mkdtemp(join(tmpdir(), 'hm-next-hop-'));
    const ca = join(data, 'relay-ca.pem');
    await writeFile(ca, certificate.cert);
    const settings = { ...gatewaySettings(data, server.url), nextHopTls: { require: true, verify: true, ca }, nextHopUser: login.user, nextHopPassword: login.pass };
    const nextHop = await nextHopFor(settings, data);
    try {
      const { reply } = await nextHop.deliver(await spool(await spoolDirectory(), awkwardMessage(), 'teacher@school.sch.uk', ['parent@example.org']));
      expect(reply.code).toBe(250);
      expect(server.received.map((message) => message.secure)).toEqual([true]);
    } finally {
      await nextHop.close();
      await server.close();
    }
  });

  it('refuses a user without a password, naming the setting', async () => {
    const data = await mkdtemp(join(tmpdir(), 'hm-next-hop-'));
    const settings = { ...gatewaySettings(data, 'smtp://127.0.0.1:25'), nextHopUser: 'hallmonitor' };
    await expect(nextHopFor(settings, data)).rejects.toThrow(/nextHopPassword/);
  });

  it('refuses to start with a next-hop password unless TLS to it is required and verified, naming the setting', async () => {
    const data = await mkdtemp(join(tmpdir(), 'hm-next-hop-'));
    const withPassword = { ...gatewaySettings(data, 'smtp://127.0.0.1:25'), nextHopUser: 'hallmonitor', nextHopPassword: 'an invented relay password' };
    // STARTTLS that is only offered can be stripped from the EHLO reply, and AUTH then goes in clear.
    await expect(startGateway({ ...withPassword, nextHopTls: { require: false, verify: true } }, memoryLog().logger)).rejects.toThrow(/nextHopTls\.require/);
    await expect(startGateway({ ...withPassword, nextHopTls: { require: true, verify: false } }, memoryLog().logger)).rejects.toThrow(/nextHopTls\.verify/);
    await expect(nextHopFor({ ...withPassword, nextHop: 'smtps://127.0.0.1:465', nextHopTls: { require: false, verify: false } }, data)).rejects.toThrow(/nextHopTls\.verify/);
    const implicitTls = await nextHopFor({ ...withPassword, nextHop: 'smtps://127.0.0.1:465', nextHopTls: { require: false, verify: true } }, data);
    await implicitTls.close();
  });
});

describe("the next hop's certificate through the gateway", () => {
  it('is verified by default: one no trusted CA signed answers the client 451 (it keeps the message) and nothing is sent; with its CA configured the message goes', async () => {
    const certificate = await loopbackCertificate();
    const server = await startNextHop({ certificate });
    try {
      const data = await mkdtemp(join(tmpdir(), 'hm-next-hop-tls-'));
      // 451: the sending service keeps the message and retries, so nothing is lost while the CA is missing.
      expect(await replyFromGateway(gatewaySettings(join(data, 'refused'), server.url))).toMatch(/^451 4\./);
      expect(server.received).toHaveLength(0);
      const ca = join(data, 'relay-ca.pem');
      await writeFile(ca, certificate.cert);
      const trusting = { ...gatewaySettings(join(data, 'trusted'), server.url), nextHopTls: { require: false, verify: true, ca } };
      expect(await replyFromGateway(trusting)).toMatch(/^250/);
      expect(server.received.map((message) => message.secure)).toEqual([true]);
    } finally {
      await server.close();
    }
  });
});
