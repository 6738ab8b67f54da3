import { generate } from 'selfsigned';

/**
 * A self-signed certificate for the loopback address test next hops listen on (RFC 6125: an iPAddress SAN).
 * Its own `cert` is the CA that verifies it; any other certificate's is not.
 */
export async function loopbackCertificate(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  return { key: pems.private, cert: pems.cert };
}
