import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../../src/gateway/start-gateway.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { gatewaySettings } from './support/gateway-settings.js';
import { swaks } from './support/swaks.js';

const DOMAIN = 'stmarys-example.sch.uk';
const SELECTOR = 'selector1';

describe('a message signed by Office 365', () => {
  it('arrives at the next hop byte-identical, and its DKIM signature still verifies', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const message = Buffer.from(
      [
        `From: Imran Sheikh <imran.sheikh@${DOMAIN}>`,
        'To: parent@example.org',
        'Subject: Sports day',
        `Message-ID: <dkim-1@${DOMAIN}>`,
        'Date: Mon, 23 Nov 2026 09:00:00 +0000',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Sports day is on Friday; please bring a hat.',
        '',
      ].join('\r\n'),
    );
    // mailauth's types declare the key at the top level, while its signer reads `signatureData`: give both.
    const key = { signingDomain: DOMAIN, selector: SELECTOR, privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }) };
    const signed = await dkimSign(message, { ...key, signatureData: [key] });
    expect(signed.errors).toEqual([]);
    const original = Buffer.concat([Buffer.from(signed.signatures), message]);

    const folder = await mkdtemp(join(tmpdir(), 'hm-dkim-'));
    const file = join(folder, 'signed.eml');
    await writeFile(file, original);
    const nextHop = await startNextHop();
    const gateway = await startGateway(gatewaySettings(join(folder, 'data'), nextHop.url), pino({ level: 'silent' }));
    try {
      expect((await swaks(gateway.smtp.port, file, { from: `imran.sheikh@${DOMAIN}`, to: ['parent@example.org'] })).lastCode).toBe(250);
    } finally {
      await gateway.stop();
      await nextHop.close();
    }
    const [received] = nextHop.received;
    // The gateway adds its trace header on top (loop protection), as every MTA adds Received:.
    const traceEnd = received!.raw.indexOf('\r\n') + 2;
    expect(received!.raw.subarray(0, traceEnd).toString()).toMatch(/^X-Hallmonitor-Trace: v=2; t=\d+; mac=[\w-]+\r\n$/);
    // Below it, the original bytes; swaks ends DATA with an empty line before the dot, so that line is part of what it sent.
    expect(received!.raw.subarray(traceEnd).equals(Buffer.concat([original, Buffer.from('\r\n')]))).toBe(true);
    const publicKeyBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const resolver = async (name: string, type: string) => {
      if (name === `${SELECTOR}._domainkey.${DOMAIN}` && type === 'TXT') return [[`v=DKIM1; k=rsa; p=${publicKeyBase64}`]];
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    };
    const verified = await dkimVerify(received!.raw, { resolver });
    expect(verified.results.map((result) => result.status.result)).toEqual(['pass']);
  });
});
