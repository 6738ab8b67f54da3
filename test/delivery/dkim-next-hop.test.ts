import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { smtpNextHop } from '../../src/delivery/next-hop.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { awkwardMessage, spool, spoolDirectory } from '../actions/support/spool.js';

const DOMAIN = 'school.sch.uk';
const SELECTOR = 'selector1';

describe('smtpNextHop and DKIM', () => {
  it('hands on a DKIM-signed message so that its signature still verifies at the next hop', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const message = Buffer.concat([awkwardMessage(), Buffer.from('\r\n')]);
    // simple/simple: the strictest canonicalization, broken by any change to the bytes. mailauth's
    // types declare the key at the top level, while its signer reads `signatureData`: give both.
    const key = { signingDomain: DOMAIN, selector: SELECTOR, privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }) };
    const options = { ...key, canonicalization: 'simple/simple', signatureData: [key] };
    const signed = await dkimSign(message, options);
    expect(signed.errors).toEqual([]);
    const original = Buffer.concat([Buffer.from(signed.signatures), message]);
    const server = await startNextHop();
    const nextHop = smtpNextHop(server.url);
    try {
      const { reply } = await nextHop.deliver(await spool(await spoolDirectory(), original, `teacher@${DOMAIN}`, ['parent@example.org']));
      expect(reply.code).toBe(250);
    } finally {
      await nextHop.close();
      await server.close();
    }
    const publicKeyBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const resolver = async (name: string, type: string) => {
      if (name === `${SELECTOR}._domainkey.${DOMAIN}` && type === 'TXT') return [[`v=DKIM1; k=rsa; p=${publicKeyBase64}`]];
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    };
    const verified = await dkimVerify(server.received[0]!.raw, { resolver });
    expect(verified.results.map((result) => result.status.result)).toEqual(['pass']);
  });
});
