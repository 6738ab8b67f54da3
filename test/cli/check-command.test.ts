import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../src/smtp/self-signed.js';
import { startNextHop, type RunningNextHop } from '../actions/support/next-hop-server.js';
import { runCliAsync } from './run-cli.js';

let folder: string;
let nextHop: RunningNextHop;

/** A port nothing listens on: one the system gave and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** A configuration file in `folder` with the given lines after the school. */
async function config(name: string, lines: readonly string[], staff = 'staff.csv'): Promise<string> {
  const path = join(folder, name);
  await writeFile(
    path,
    ['schools:', '  - id: st-marys-example', '    domains: [stmarys-example.sch.uk]', '    roster: pupils.csv', `    staff: ${staff}`, ...lines, ''].join('\n'),
  );
  return path;
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'hm-check-'));
  await copyFile('fixtures/roster/pupils.csv', join(folder, 'pupils.csv'));
  await copyFile('fixtures/roster/staff.csv', join(folder, 'staff.csv'));
  await writeFile(join(folder, 'broken.csv'), 'Name,Colour\nKit,blue\n');
  const pair = await selfSignedCertificate('gateway.example.org');
  const other = await selfSignedCertificate('other.example.org');
  await writeFile(join(folder, 'cert.pem'), pair.cert);
  await writeFile(join(folder, 'key.pem'), pair.key, { mode: 0o600 });
  await writeFile(join(folder, 'other-key.pem'), other.key, { mode: 0o600 });
  await mkdir(join(folder, 'data', 'keys'), { recursive: true, mode: 0o700 });
  await mkdir(join(folder, 'loose', 'keys'), { recursive: true, mode: 0o700 });
  await writeFile(join(folder, 'data', 'keys', 'quarantine.key'), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  await writeFile(join(folder, 'loose', 'keys', 'quarantine.key'), `${randomBytes(32).toString('base64')}\n`, { mode: 0o644 });
  nextHop = await startNextHop();
});

afterAll(async () => {
  await nextHop?.close();
});

describe('hallmonitor check', { timeout: 120_000 }, () => {
  it('prints one ok line per check and exits 0 when every part answers, having said EHLO to the next hop', async () => {
    const file = await config('good.yaml', [`nextHop: ${nextHop.url}`, `tls: { cert: ${join(folder, 'cert.pem')}, key: ${join(folder, 'key.pem')} }`]);
    const run = await runCliAsync(['check', '--config', file, '--data', join(folder, 'data')]);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(lines.filter((line) => !line.startsWith('ok '))).toEqual([]);
    expect(run.status).toBe(0);
    expect(lines.find((line) => line.includes('schools[0].roster'))).toMatch(/st-marys-example: 2\d\d pupils in/);
    expect(lines.find((line) => / tls\.cert /.test(line))).toContain('gateway.example.org');
    expect(lines.find((line) => / nextHop /.test(line))).toContain(`${nextHop.url} answers`);
    expect(lines.find((line) => / quarantineKey /.test(line))).toContain('mode 600');
    expect(lines.find((line) => / redis /.test(line))).toMatch(/redis:\/\/127\.0\.0\.1:6379: Redis \d/);
    expect(nextHop.sessions()).toBeGreaterThan(0);
    expect(nextHop.received).toEqual([]);
  });

  it('names the setting of each problem, goes on checking the rest, and exits 1', async () => {
    const file = await config(
      'bad.yaml',
      [
        `nextHop: smtp://127.0.0.1:${await closedPort()}`,
        `tls: { cert: ${join(folder, 'cert.pem')}, key: ${join(folder, 'other-key.pem')} }`,
        `database: postgres://hallmonitor@127.0.0.1:${await closedPort()}/test`,
      ],
      'broken.csv',
    );
    const run = await runCliAsync(['check', '--config', file, '--data', join(folder, 'loose')]);
    expect(run.status).toBe(1);
    const problems = run.stdout
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('problem'))
      .map((line) => line.split(/\s+/)[1]);
    expect(problems).toEqual(['schools[0].staff', 'tls.key', 'quarantineKey', 'nextHop', 'database']);
    expect(run.stdout).toMatch(/tls\.key\s+.*other-key\.pem is not the private key of .*cert\.pem/);
    expect(run.stdout).toMatch(/quarantineKey\s+.*may be read by others \(mode 644\): chmod 600 it/);
    expect(run.stdout).toMatch(/nextHop\s+smtp:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(run.stdout).toMatch(/schools\[0\]\.rules\s+st-marys-example: \d+ rules/);
  });

  it('prints one JSON object per check with --json', async () => {
    const file = await config('json.yaml', []);
    const run = await runCliAsync(['check', '--json', '--config', file, '--data', join(folder, 'data')]);
    const results = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { setting: string; ok: boolean; detail: string });
    expect(results.find((result) => result.setting === 'nextHop')).toEqual({
      setting: 'nextHop',
      ok: true,
      detail: 'none: trial mode, mail that would be delivered goes to DATA/outbox',
    });
    expect(run.status).toBe(0);
  });

  it('exits 2 with one line when the configuration file cannot be parsed, and documents itself in --help', async () => {
    await writeFile(join(folder, 'unparsable.yaml'), 'schools: [ {\n');
    const run = await runCliAsync(['check', '--config', join(folder, 'unparsable.yaml')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^hallmonitor: .*unparsable\.yaml:\d+/);
    const help = await runCliAsync(['check', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('postfix check');
  });
});
