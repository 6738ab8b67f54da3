import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { swaks } from './support/swaks.js';

const BIN = fileURLToPath(new URL('../../bin/hallmonitor.js', import.meta.url));
const TEACHER = 'teacher@reload-example.sch.uk';

describe('SIGHUP reloads the schools', () => {
  it('puts a new roster in force without a restart, and keeps the old one when the new file is bad', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'hm-reload-'));
    const roster = join(folder, 'pupils.csv');
    await writeFile(roster, 'UPN,Legal Forename,Legal Surname\nA111,Bramwell,Ostrowski\n');
    const config = join(folder, 'hallmonitor.yaml');
    await writeFile(config, [`data: ${join(folder, 'data')}`, 'listen: 127.0.0.1:0', 'web: 127.0.0.1:0', 'schools:', '  - id: reload-school', '    domains: [reload-example.sch.uk]', `    roster: ${roster}`, ''].join('\n'));
    const message = join(folder, 'report.eml');
    // An invented pupil who is not on the roster yet.
    await writeFile(message, `From: ${TEACHER}\r\nTo: parent@example.org\r\nSubject: Report for Zephyrine Quillfeather\r\n\r\nPlease find the report attached.\r\n`);

    const child = spawn(process.execPath, [BIN, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: { msg?: string; smtp?: { port: number } }[] = [];
    const logged = (text: string) => expect.poll(() => lines.some((line) => line.msg === text), { timeout: 30_000 }).toBe(true);
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(JSON.parse(line) as (typeof lines)[number]));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await logged('hallmonitor started');
      const port = lines.find((line) => line.msg === 'hallmonitor started')!.smtp!.port;
      const send = async () => (await swaks(port, message, { from: TEACHER, to: ['parent@example.org'] })).lastCode;

      expect(await send()).toBe(250);

      await appendFile(roster, 'A222,Zephyrine,Quillfeather\n');
      child.kill('SIGHUP');
      await logged('schools reloaded');
      expect(await send()).toBe(550);

      await writeFile(roster, 'UPN,Legal Forename\nA333,Nobody\n');
      child.kill('SIGHUP');
      await logged('reload refused: the schools in force stay');
      expect(await send()).toBe(550);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);
});
