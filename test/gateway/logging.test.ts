import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { settingsFrom } from '../../src/cli/serve-command.js';
import { createLogger } from '../../src/gateway/logger.js';
import { runCli } from '../cli/run-cli.js';

const BIN = fileURLToPath(new URL('../../bin/hallmonitor.js', import.meta.url));

function captured(pretty: boolean, level: 'info' | 'warn' = 'info'): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ level, base: { service: 'hallmonitor', role: 'worker' }, pretty, write: (text) => lines.push(text) }) };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the logger', () => {
  it('writes one JSON object per line for collectors', () => {
    const { lines, log } = captured(false);
    log.info({ messageId: 'm-1', categories: ['pupil-name'] }, 'message judged');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, service: 'hallmonitor', role: 'worker', messageId: 'm-1', categories: ['pupil-name'], msg: 'message judged' });
  });

  it('writes the same facts for people on a terminal: time, level, message, then the fields', () => {
    const { lines, log } = captured(true);
    log.warn({ messageId: 'm-2' }, 'next hop slow');
    expect(lines).toHaveLength(1);
    expect(() => JSON.parse(lines[0]!)).toThrow();
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: next hop slow\n {4}role: "worker"\n {4}messageId: "m-2"\n$/);
  });

  it('leaves out lines below its level', () => {
    for (const pretty of [false, true]) {
      const { lines, log } = captured(pretty, 'warn');
      log.info('started');
      log.error({ code: 'store-unavailable' }, 'tempfailed');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('tempfailed');
    }
  });
});

describe('the log level setting', () => {
  it('is info by default, the environment sets it over the file, and --log-level over both', async () => {
    expect((await settingsFrom([])).logLevel).toBe('info');
    vi.stubEnv('HALLMONITOR_LOG_LEVEL', 'warn');
    expect((await settingsFrom([])).logLevel).toBe('warn');
    expect((await settingsFrom(['--log-level', 'debug'])).logLevel).toBe('debug');
    vi.stubEnv('HALLMONITOR_LOG_LEVEL', 'chatty');
    await expect(settingsFrom([])).rejects.toThrow(/HALLMONITOR_LOG_LEVEL/);
  });

  it('refuses an unknown --log-level with exit 2 and one line', () => {
    const run = runCli(['serve', '--log-level', 'loud']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^hallmonitor: --log-level loud: /);
  });

  it('serve with --log-level warn writes its warnings and not its info lines', async () => {
    const data = await mkdtemp(join(tmpdir(), 'hm-log-level-'));
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--listen', '127.0.0.1:0', '--web', '127.0.0.1:0', '--data', data, '--domain', 'stmarys-example.sch.uk', '--log-level', 'warn'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines: { level: number; msg: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(JSON.parse(line) as { level: number; msg: string });
        if (lines.some((l) => l.msg.startsWith('trial mode'))) resolve();
      });
      child.once('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.filter((line) => line.level < 40)).toEqual([]);
  }, 120_000);
});
