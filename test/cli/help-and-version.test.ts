import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const COMMANDS = ['serve', 'worker', 'check', 'init', 'scan', 'rules', 'eval', 'quarantine', 'users', 'keys', 'audit', 'smtp-password'];

describe('hallmonitor --help and --version', () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const run = runCli(['--version']);
    expect([run.status, run.stdout.trim()]).toEqual([0, `hallmonitor ${version}`]);
  });

  it('--help lists every command with what it is for', () => {
    const run = runCli(['--help']);
    expect(run.status).toBe(0);
    for (const command of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
  });

  it.each(COMMANDS)('%s --help shows its usage, runs nothing and exits 0', (command) => {
    const run = runCli([command, '--help']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`hallmonitor ${command}`);
    expect(run.stderr).toBe('');
  });

  it('an unknown command exits 2 with the usage', () => {
    const run = runCli(['bogus']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown command "bogus"; usage: hallmonitor <serve\|/);
  });
});
