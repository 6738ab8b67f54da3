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
      const wrong = await swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] }, ['--tls', '--auth', 'PLAIN', '--auth-user', 'office365', '--auth-password', 'not the password']);
      expect(wrong.lastCode).toBe(535);
      const authenticated = await swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] }, ['--tls', '--auth', 'PLAIN', '--auth-user', 'office365', '--auth-password', 'a long relay password']);
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
});
