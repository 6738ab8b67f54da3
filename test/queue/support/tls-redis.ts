import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPrivateRedis, type PrivateRedis } from './redis.js';

const run = promisify(execFile);

/** A CA made at test time with Debian's openssl, and certificates it signs (for 127.0.0.1 by IP, as the tests connect). */
export interface TestCa {
  readonly caFile: string;
  /** Signs a new key pair for `name`: server certificates carry 127.0.0.1 as a subjectAltName. */
  issue(name: string, usage: 'server' | 'client'): Promise<{ readonly certFile: string; readonly keyFile: string }>;
}

export async function makeTestCa(directory: string, label: string): Promise<TestCa> {
  const caKey = join(directory, `${label}-ca.key`);
  const caFile = join(directory, `${label}-ca.pem`);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', caFile, '-days', '2', '-subj', `/CN=Invented test CA ${label}`]);
  return {
    caFile,
    async issue(name, usage) {
      const keyFile = join(directory, `${label}-${name}.key`);
      const request = join(directory, `${label}-${name}.csr`);
      const certFile = join(directory, `${label}-${name}.pem`);
      const extensions = join(directory, `${label}-${name}.ext`);
      await writeFile(extensions, usage === 'server' ? 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n');
      await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', request, '-subj', `/CN=${name}`]);
      await run('openssl', ['x509', '-req', '-in', request, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', extensions]);
      return { certFile, keyFile };
    },
  };
}

export interface TlsRedis extends PrivateRedis {
  /** rediss:// with the generated password. */
  readonly tlsUrl: string;
  readonly password: string;
}

/**
 * A private redis-server speaking only TLS (`--port 0`) on a free port, with a password made here; `ca` is the
 * CA it checks client certificates against when `requireClientCertificates`.
 */
export async function startTlsRedis(server: { certFile: string; keyFile: string }, caFile: string, requireClientCertificates = false): Promise<TlsRedis> {
  const password = randomBytes(18).toString('hex');
  const configDirectory = await mkdtemp(join(tmpdir(), 'hm-tls-redis-conf-'));
  // The password in a config file, not on the command line where `ps` would show it.
  const configFile = join(configDirectory, 'redis.conf');
  await writeFile(configFile, `requirepass ${password}\n`, { mode: 0o600 });
  const redis = await startPrivateRedis({
    configFile,
    tlsPort: true,
    args: [
      '--tls-cert-file',
      server.certFile,
      '--tls-key-file',
      server.keyFile,
      '--tls-ca-cert-file',
      caFile,
      '--tls-auth-clients',
      requireClientCertificates ? 'yes' : 'no',
      '--maxmemory-policy',
      'noeviction',
    ],
  });
  return {
    ...redis,
    password,
    tlsUrl: `rediss://:${password}@127.0.0.1:${redis.port}`,
    stop: async () => {
      await redis.stop();
      await rm(configDirectory, { recursive: true, force: true });
    },
  };
}
