import { generate } from 'selfsigned';

const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * A self-signed RSA 2048 certificate for trial mode, valid for one year, naming `hostname` in
 * its subject and subjectAltName (RFC 6125 checks the SAN, not the common name).
 */
export async function selfSignedCertificate(hostname: string): Promise<{ key: string; cert: string }> {
  const notBeforeDate = new Date();
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + ONE_YEAR_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: hostname }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
