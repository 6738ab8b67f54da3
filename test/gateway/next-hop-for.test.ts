import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { nextHopFor } from '../../src/gateway/start-gateway.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { awkwardMessage, spool, spoolDirectory } from '../actions/support/spool.js';
import { gatewaySettings } from './support/gateway-settings.js';

describe('the next hop from the configuration', () => {
  it('logs in with the configured user and password and checks the certificate against the configured CA file', async () => {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keyType: 'rsa',
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const login = { user: 'hallmonitor', pass: 'an invented relay password' };
    const server = await startNextHop({ login, certificate: { key: pems.private, cert: pems.cert } });
    const data = await mkdtemp(join(tmpdir(), 'hm-next-hop-'));
    const ca = join(data, 'relay-ca.pem');
    await writeFile(ca, pems.cert);
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
});
