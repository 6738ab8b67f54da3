import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { settingsFrom } from '../../src/cli/serve-command.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { runCli } from '../cli/run-cli.js';
import { RawSmtp } from '../smtp/support/raw-smtp.js';

const BIN = fileURLToPath(new URL('../../bin/hallmonitor.js', import.meta.url));

describe('hallmonitor serve (docs/architecture.md, "hallmonitor serve")', () => {
  it('starts, says it is in trial mode, and exits 0 on SIGTERM', async () => {
    const data = await mkdtemp(join(tmpdir(), 'hm-serve-'));
    const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--web', '127.0.0.1:0', '--data', data, '--domain', 'stmarys-example.sch.uk'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    const started = new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(JSON.parse(line) as Record<string, unknown>);
        if (lines.some((l) => l.msg === 'hallmonitor started') && lines.some((l) => String(l.msg).startsWith('trial mode'))) resolve();
      });
      child.once('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
    });
    await started;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.some((line) => line.msg === 'hallmonitor stopped')).toBe(true);
  });

  it('refuses to start on a bad flag with exit 2 and one line', () => {
    const run = runCli(['serve', '--listen', 'nowhere']);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('--listen nowhere');
  });

  it("refuses to start with Exchange Online's shared ranges allowed and no tenant bound, naming the setting", async () => {
    const data = await mkdtemp(join(tmpdir(), 'hm-serve-'));
    const run = runCli(['serve', '--allow', '40.107.0.0/16', '--domain', 'stmarys-example.sch.uk', '--listen', '127.0.0.1:0', '--web', '127.0.0.1:0', '--data', data]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('microsoft365TenantIds');
    expect(run.stderr).toContain('40.107.0.0/16');
  });

  it('takes --tenant for every school, in lower case, and refuses one that is not a tenant ID', async () => {
    const settings = await settingsFrom([
      '--domain',
      'stmarys-example.sch.uk',
      '--tenant',
      '8F2A6C1E-3B4D-4E5F-9A0B-1C2D3E4F5A6B',
      '--tenant',
      '0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70',
    ]);
    expect(settings.schools.map((school) => school.microsoft365TenantIds)).toEqual([['8f2a6c1e-3b4d-4e5f-9a0b-1c2d3e4f5a6b', '0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70']]);
    const run = runCli(['serve', '--tenant', 'contoso']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--tenant contoso');
  });

  it('refuses to start on a bad rule set, naming the file and line', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'hm-serve-'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      join(folder, 'rules.yaml'),
      'rules:\n  - id: x\n    description: d\n    clause: c\n    reason: r\n    when: { finding: { category: pupil-name } }\n    action: maybe\n',
    );
    const run = runCli(['serve', '--rules', folder, '--listen', '127.0.0.1:0', '--web', '127.0.0.1:0', '--data', join(folder, 'data')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/rules\.yaml:7 rules\[0\]\.action/);
  });

  it('refuses to start on a bad roster, naming the file and row, though the rosters load in the scan workers', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'hm-serve-'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(folder, 'pupils.csv'), 'UPN,Forename\nA1,Bo\n');
    const run = runCli([
      'serve',
      '--roster',
      join(folder, 'pupils.csv'),
      '--domain',
      'school.sch.uk',
      '--listen',
      '127.0.0.1:0',
      '--web',
      '127.0.0.1:0',
      '--data',
      join(folder, 'data'),
    ]);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/pupils\.csv, row 1: no surname column/);
  });
});

describe('a gateway killed in the middle of DATA', () => {
  it('never said 250, and delivered nothing, half or whole', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'hm-kill-'));
    const nextHop = await startNextHop();
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--listen', '127.0.0.1:0', '--web', '127.0.0.1:0', '--data', join(folder, 'data'), '--domain', 'stmarys-example.sch.uk', '--next-hop', nextHop.url],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const port = await new Promise<number>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const entry = JSON.parse(line) as { msg?: string; smtp?: { port: number } };
          if (entry.msg === 'hallmonitor started' && entry.smtp) resolve(entry.smtp.port);
        });
        child.once('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
      });
      const { client } = await RawSmtp.open(port);
      expect(await client.command('EHLO test.example')).toMatch(/^250/);
      expect(await client.command('MAIL FROM:<teacher@stmarys-example.sch.uk>')).toMatch(/^250/);
      expect(await client.command('RCPT TO:<parent@example.org>')).toMatch(/^250/);
      expect(await client.command('DATA')).toMatch(/^354/);
      client.write('Subject: half a message\r\n\r\nThe first half of the body');
      const closed = client.whenClosed();
      child.kill('SIGKILL');
      await closed;
      expect(await client.reply()).toBe('closed');
      expect(nextHop.received).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      await nextHop.close();
    }
  });
});
