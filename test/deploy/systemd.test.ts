import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../src/config/config.js';
import { GATEWAY_DEFAULTS } from '../../src/config/gateway-config.js';
import { BUILT_CLI, cliKnowsCommand, REPO } from './support/cli-command.js';
import { directive, parseUnitFile, type UnitFile } from './support/unit-file.js';

/** Where docs/install-without-docker.md puts the checkout and the configuration. */
const INSTALL_DIRECTORY = '/opt/hallmonitor';
const CONFIG_FILE = '/etc/hallmonitor/hallmonitor.yaml';
const DATA_DIRECTORY = '/var/lib/hallmonitor';

const UNITS = {
  'hallmonitor.service': { command: 'serve', bindsPort25: true, reloadsInPlace: true },
  'hallmonitor-worker.service': { command: 'worker', bindsPort25: false, reloadsInPlace: false },
} as const;

const SYSTEMD_ANALYZE = spawnSync('systemd-analyze', ['--version']).status === 0;

function unitPath(name: string): string {
  return join(REPO, 'deploy', 'systemd', name);
}

function load(name: string): UnitFile {
  return parseUnitFile(readFileSync(unitPath(name), 'utf8'));
}

describe.each(Object.entries(UNITS))('deploy/systemd/%s', (name, expected) => {
  const unit = load(name);
  const service = (key: string) => directive(unit, 'Service', key);

  it('starts the CLI the build produces, with the configuration file the guide writes', () => {
    const [node, script, command, ...rest] = (service('ExecStart') ?? '').split(/\s+/);
    expect(node).toBe('/usr/bin/node');
    expect(script).toBe(`${INSTALL_DIRECTORY}/${BUILT_CLI}`);
    expect(existsSync(join(REPO, BUILT_CLI)), 'npm run build makes it').toBe(true);
    expect(command).toBe(expected.command);
    expect(rest).toEqual(['--config', CONFIG_FILE]);
    expect(service('WorkingDirectory')).toBe(INSTALL_DIRECTORY);
  });

  it(`runs a command the CLI has (hallmonitor ${expected.command})`, () => {
    const { known, stderr } = cliKnowsCommand(expected.command);
    expect(known, stderr).toBe(true);
  });

  it('runs as the hallmonitor user, stops on SIGTERM with room for the grace period, and restarts on failure', () => {
    expect(service('Type')).toBe('simple');
    expect(service('User')).toBe('hallmonitor');
    expect(service('KillSignal')).toBe('SIGTERM');
    expect(Number(service('TimeoutStopSec'))).toBeGreaterThan(GATEWAY_DEFAULTS.shutdownGraceSeconds);
    expect(service('Restart')).toBe('on-failure');
    expect(service('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    // serve re-reads rosters and rules on SIGHUP; the worker does not, and systemd counts death by SIGHUP as a
    // clean exit, so a reload must restart it rather than leave it stopped.
    expect(service('RestartForceExitStatus')).toBe(expected.reloadsInPlace ? undefined : 'SIGHUP');
    expect(service('EnvironmentFile')).toBe('-/etc/hallmonitor/secrets.env');
  });

  it('may write only to the data folder, with files for its own user only', () => {
    expect(service('NoNewPrivileges')).toBe('true');
    expect(service('ProtectSystem')).toBe('strict');
    expect(service('ProtectHome')).toBe('true');
    expect(service('PrivateTmp')).toBe('true');
    expect(service('ReadWritePaths')).toBe(DATA_DIRECTORY);
    expect(`/var/lib/${service('StateDirectory')}`).toBe(DATA_DIRECTORY);
    expect(service('UMask')).toBe('0077');
    expect(service('AmbientCapabilities')).toBe(expected.bindsPort25 ? 'CAP_NET_BIND_SERVICE' : undefined);
  });

  it.skipIf(!SYSTEMD_ANALYZE)('passes systemd-analyze verify without a warning', () => {
    const run = spawnSync('systemd-analyze', ['verify', unitPath(name)], { encoding: 'utf8' });
    expect(run.stderr.trim()).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('docs/install-without-docker.md with these units', () => {
  const guide = readFileSync(join(REPO, 'docs', 'install-without-docker.md'), 'utf8');

  it('enables hallmonitor-worker, and the configuration it writes leaves the queues to it', () => {
    expect(guide).toContain('systemctl enable --now hallmonitor-worker');
    const written = [...guide.matchAll(/```yaml\n([\s\S]*?)```/g)].map((block) => parse(block[1]!) as Record<string, unknown>).find((block) => 'listen' in block);
    const config = configSchema.safeParse(written);
    expect(config.success, config.error?.message).toBe(true);
    expect(config.data?.queueWorkers).toBe(false);
  });
});

describe('deploy/systemd/hallmonitor-roster.service and .timer', () => {
  const service = load('hallmonitor-roster.service');
  const timer = load('hallmonitor-roster.timer');
  const INSTALLED_SCRIPT = '/usr/local/bin/hallmonitor-roster-install';

  it('runs the shipped install script (as the guide installs it) on the spool folder its condition watches', () => {
    const [script, incoming, roster] = (directive(service, 'Service', 'ExecStart') ?? '').split(/\s+/);
    expect(script).toBe(INSTALLED_SCRIPT);
    expect(existsSync(join(REPO, 'deploy', 'bin', 'hallmonitor-roster-install'))).toBe(true);
    expect(directive(service, 'Unit', 'ConditionDirectoryNotEmpty')).toBe(incoming);
    expect(roster).toBe('/etc/hallmonitor/roster');
    expect(directive(service, 'Service', 'Type')).toBe('oneshot');
    expect(timer.get('Timer')?.get('OnCalendar')?.length).toBeGreaterThan(0);
  });

  it.skipIf(!SYSTEMD_ANALYZE)('passes systemd-analyze verify without a warning', () => {
    const folder = mkdtempSync(join(tmpdir(), 'roster-units-'));
    try {
      // verify checks that ExecStart exists: point it at the repository's copy of the script.
      const text = readFileSync(unitPath('hallmonitor-roster.service'), 'utf8').replace(INSTALLED_SCRIPT, join(REPO, 'deploy', 'bin', 'hallmonitor-roster-install'));
      writeFileSync(join(folder, 'hallmonitor-roster.service'), text);
      copyFileSync(unitPath('hallmonitor-roster.timer'), join(folder, 'hallmonitor-roster.timer'));
      const run = spawnSync('systemd-analyze', ['verify', join(folder, 'hallmonitor-roster.service'), join(folder, 'hallmonitor-roster.timer')], { encoding: 'utf8' });
      expect(run.stderr.trim()).toBe('');
      expect(run.status).toBe(0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('systemd-analyze', () => {
  it.runIf(!SYSTEMD_ANALYZE)('is not installed here, so the units were not verified by systemd itself', () => {
    console.warn('systemd-analyze is not installed: skipping `systemd-analyze verify` of deploy/systemd/*.service');
  });
  it.runIf(SYSTEMD_ANALYZE)('reports a unit it cannot use, so its silence above means something', () => {
    const broken = join(REPO, 'test', 'deploy', 'support', 'broken.service');
    const run = spawnSync('systemd-analyze', ['verify', broken], { encoding: 'utf8' });
    expect(run.stderr).toMatch(/Failed to parse service restart specifier/);
  });
});
