import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config.js';
import { startGateway } from '../../src/gateway/start-gateway.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { gatewaySettings } from './support/gateway-settings.js';
import { swaks } from './support/swaks.js';

const BIN = fileURLToPath(new URL('../../bin/hallmonitor.js', import.meta.url));
const TEACHER = 'teacher@stmarys-example.sch.uk';
const OFFICE = 'office@stmarys-example.sch.uk';

describe('SMTP AUTH from the configuration', () => {
  it('lets a client that authenticates over TLS relay from outside the allow-list, and no one else', async () => {
    const hashed = spawnSync(process.execPath, [BIN, 'smtp-password', '--password-stdin'], { input: 'a long relay password\n', encoding: 'utf8' });
    expect(hashed.status).toBe(0);
    const hash = hashed.stdout.trim();
    expect(hash).toMatch(/^scrypt\$/);
    expect(hashed.stdout).not.toContain('a long relay password');

    const folder = await mkdtemp(join(tmpdir(), 'hm-auth-'));
    const file = join(folder, 'clean.eml');
    await writeFile(file, `From: ${TEACHER}\r\nTo: parent@example.org\r\nSubject: Trip\r\n\r\nHello.\r\n`);
    const nextHop = await startNextHop();
    // As a configuration file says it: one login for any of the school's senders, one bound to the office's address.
    const { smtpUsers } = configSchema.parse({ smtpUsers: { office365: hash, copier: { password: hash, senders: [OFFICE] } } });
    const settings = { ...gatewaySettings(join(folder, 'data'), nextHop.url), allow: ['192.0.2.0/24'], smtpUsers };
    const gateway = await startGateway(settings, pino({ level: 'silent' }));
    try {
      const anonymous = await swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] }, ['--tls']);
      expect(anonymous.lastCode).toBe(530);
      const wrong = await swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] }, [
        '--tls',
        '--auth',
        'PLAIN',
        '--auth-user',
        'office365',
        '--auth-password',
        'not the password',
      ]);
      expect(wrong.lastCode).toBe(535);
      const authenticated = await swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] }, [
        '--tls',
        '--auth',
        'PLAIN',
        '--auth-user',
        'office365',
        '--auth-password',
        'a long relay password',
      ]);
      expect(authenticated.lastCode, authenticated.transcript).toBe(250);
      expect(nextHop.received).toHaveLength(1);

      const copier = ['--tls', '--auth', 'PLAIN', '--auth-user', 'copier', '--auth-password', 'a long relay password'];
      const asTeacher = await swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] }, copier);
      expect(asTeacher.lastCode, asTeacher.transcript).toBe(553);
      expect(asTeacher.transcript).toContain('5.7.1 Sender address not owned by the authenticated login');
      const asOffice = await swaks(gateway.smtp.port, file, { from: OFFICE, to: ['parent@example.org'] }, copier);
      expect(asOffice.lastCode, asOffice.transcript).toBe(250);
      expect(nextHop.received).toHaveLength(2);
    } finally {
      await gateway.stop();
      await nextHop.close();
    }
  });

  it('takes its limits from the configuration: failures per address, and password hashes at once', async () => {
    const hashed = spawnSync(process.execPath, [BIN, 'smtp-password', '--password-stdin'], { input: 'a long relay password\n', encoding: 'utf8' });
    const folder = await mkdtemp(join(tmpdir(), 'hm-auth-limits-'));
    const file = join(folder, 'clean.eml');
    await writeFile(file, `From: ${TEACHER}\r\nTo: parent@example.org\r\nSubject: Trip\r\n\r\nHello.\r\n`);
    const nextHop = await startNextHop();
    const parsed = configSchema.parse({
      smtpUsers: { office365: hashed.stdout.trim() },
      // Below the defaults (5 failures, 2 hashes and 32 waiting), so only configured limits can give these answers.
      limits: { smtpAuthFailures: { perAddress: 2 }, passwordHashes: { running: 1, waiting: 0 } },
    });
    const settings = { ...gatewaySettings(join(folder, 'data'), nextHop.url), allow: ['192.0.2.0/24'], smtpUsers: parsed.smtpUsers, limits: parsed.limits };
    const gateway = await startGateway(settings, pino({ level: 'silent' }));
    const login = (password: string) =>
      swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] }, ['--tls', '--auth', 'PLAIN', '--auth-user', 'office365', '--auth-password', password]);
    try {
      // At once: one hashes, none may wait, so the others are told to come back.
      const flood = await Promise.all(Array.from({ length: 4 }, () => login('a long relay password')));
      const busy = flood.filter((run) => run.lastCode === 454);
      expect(busy.length, flood.map((run) => run.transcript).join('\n')).toBeGreaterThanOrEqual(1);
      expect(busy[0]?.transcript).toContain('4.7.0 Temporary authentication failure: too many logins at once');
      expect(flood.filter((run) => run.lastCode === 250).length).toBeGreaterThanOrEqual(1);
      // One after another: two failures are allowed from an address, then even the right password gets 454.
      expect((await login('wrong one')).lastCode).toBe(535);
      expect((await login('wrong two')).lastCode).toBe(535);
      const throttled = await login('a long relay password');
      expect(throttled.lastCode).toBe(454);
      expect(throttled.transcript).toContain('too many failed attempts');
    } finally {
      await gateway.stop();
      await nextHop.close();
    }
  }, 120_000);
});
