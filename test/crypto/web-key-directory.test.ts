import { createServer, type Server } from 'node:https';
import type { AddressInfo, LookupFunction } from 'node:net';
import { readKey } from 'openpgp';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptForRecipients } from '../../src/crypto/encrypt-message.js';
import { lookupWebKey, wkdHash, type WkdOptions } from '../../src/crypto/web-key-directory.js';
import { makeKey } from './support/keys.js';
import { composeTestMessage } from './support/messages.js';

const NOW = new Date(Date.now() + 60_000);
const DOMAIN = 'agency.example.org';
let server: Server;
let options: WkdOptions;
const requested: string[] = [];

/** Every name resolves to this machine, where a real HTTPS server plays the agency's web server. */
const toLocalhost = ((_hostname: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  if (lookupOptions.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

beforeAll(async () => {
  const published = await readKey({ armoredKey: (await makeKey(`worker@${DOMAIN}`)).publicKey });
  const other = await readKey({ armoredKey: (await makeKey(`someone-else@${DOMAIN}`)).publicKey });
  const pems = await generate([{ name: 'commonName', value: `openpgpkey.${DOMAIN}` }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: `openpgpkey.${DOMAIN}` },
          { type: 2, value: DOMAIN },
        ],
      },
    ],
  });
  const files = new Map([
    [`/.well-known/openpgpkey/${DOMAIN}/hu/${wkdHash('worker')}`, published.write()],
    // Published under the right hash but bound to another address: must not be used.
    [`/.well-known/openpgpkey/${DOMAIN}/hu/${wkdHash('impostor')}`, other.write()],
  ]);
  server = createServer({ key: pems.private, cert: pems.cert }, (request, response) => {
    requested.push(`${request.headers.host}${request.url}`);
    const file = files.get((request.url ?? '').split('?')[0]!);
    response.writeHead(file ? 200 : 404, { 'Content-Type': 'application/octet-stream' }).end(file ? Buffer.from(file) : undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  options = { ca: pems.cert, port: (server.address() as AddressInfo).port, lookup: toLocalhost, timeoutMs: 5000 };
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('Web Key Directory lookup', () => {
  it('hashes the local part as the draft does', () => {
    expect(wkdHash('Joe.Doe')).toBe('iy9q119eutrkn8s1mk4r39qejnbu3n5q');
  });

  it('finds a published key by the advanced method, over verified HTTPS', async () => {
    const key = await lookupWebKey(`Worker@${DOMAIN}`, NOW, options);
    expect(key?.users[0]?.userID?.email).toBe(`worker@${DOMAIN}`);
    expect(requested).toContain(`openpgpkey.${DOMAIN}:${options.port}/.well-known/openpgpkey/${DOMAIN}/hu/${wkdHash('worker')}?l=Worker`);
  });

  it('ignores a key for another address, a missing key, and a server it cannot trust', async () => {
    expect(await lookupWebKey(`impostor@${DOMAIN}`, NOW, options)).toBeUndefined();
    expect(await lookupWebKey(`nobody@${DOMAIN}`, NOW, options)).toBeUndefined();
    expect(await lookupWebKey(`worker@${DOMAIN}`, NOW, { ...options, ca: undefined })).toBeUndefined();
  });

  it('is used by encryptForRecipients only when configured', async () => {
    const raw = await composeTestMessage({ to: `worker@${DOMAIN}` });
    const base = {
      raw,
      envelope: { mailFrom: 'teacher@school.example.sch.uk', rcptTo: [`worker@${DOMAIN}`] },
      keyring: '/nonexistent-keyring',
      preAgreed: {},
      kdf: 'iterated' as const,
      now: NOW,
    };
    expect((await encryptForRecipients(base)).messages.map((message) => message.form)).toEqual(['pdf-envelope']);
    expect((await encryptForRecipients({ ...base, webKeyDirectory: options })).messages.map((message) => message.form)).toEqual(['pgp-mime']);
  });
});
