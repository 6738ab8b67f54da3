import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../src/smtp/self-signed.js';

describe('selfSignedCertificate', () => {
  it('makes a one-year RSA 2048 certificate naming the host in its SAN, matching its key', async () => {
    const pair = await selfSignedCertificate('gateway.oakfield.sch.uk');
    const cert = new X509Certificate(pair.cert);
    const key = createPrivateKey(pair.key);
    expect(cert.subjectAltName).toBe('DNS:gateway.oakfield.sch.uk');
    expect(cert.checkHost('gateway.oakfield.sch.uk')).toBe('gateway.oakfield.sch.uk');
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(Math.round(days)).toBe(365);
  });
});
