import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../../src/gateway/start-gateway.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { gatewaySettings } from './support/gateway-settings.js';
import { swaks } from './support/swaks.js';

const BIN = fileURLToPath(new URL('../../bin/hallmonitor.js', import.meta.url));
const TEACHER = 'teacher@stmarys-example.sch.uk';

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
    const settings = { ...gatewaySettings(join(folder, 'data'), nextHop.url), allow: ['192.0.2.0/24'], smtpUsers: { office365: hash } };
    const gateway = await startGateway(settings, pino({ level: 'silent' }));
    try {
      const anonymous = await swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] }, ['--tls']);
      expect(anonymous.lastCode).toBe(530);
      const wrong = await swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] }, ['--tls', '--auth', 'PLAIN', '--auth-user', 'office365', '--auth-password', 'not the password']);
      expect(wrong.lastCode).toBe(535);
      const authenticated = await swaks(gateway.smtp.port, file, { from: TEACHER, to: ['parent@example.org'] }, ['--tls', '--auth', 'PLAIN', '--auth-user', 'office365', '--auth-password', 'a long relay password']);
      expect(authenticated.lastCode, authenticated.transcript).toBe(250);
      expect(nextHop.received).toHaveLength(1);
    } finally {
      await gateway.stop();
      await nextHop.close();
    }
  });
});
