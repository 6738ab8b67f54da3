import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Children, waitForPort } from './children.js';

/**
 * Installs Haraka from npm into `folder`, creates a configuration with `haraka -i`, and starts it
 * listening on `port` with one plugin, queue/smtp_forward, forwarding to the sink. Recipients are
 * accepted through smtp_forward's check_recipient with a block for the recipient's domain, so no
 * rcpt plugin is needed. Logging is at warn, not the default info, so Haraka is not slowed by it.
 */
export async function startHaraka(
  children: Children,
  folder: string,
  port: number,
  sinkPort: number,
  recipientDomain: string,
): Promise<{ process: ChildProcess; version: string }> {
  const install = join(folder, 'install');
  await children.run('npm', ['install', '--prefix', install, 'Haraka@3', '--no-audit', '--no-fund', '--loglevel=error']);
  const { version } = JSON.parse(await readFile(join(install, 'node_modules', 'Haraka', 'package.json'), 'utf8')) as { version: string };
  const haraka = join(install, 'node_modules', '.bin', 'haraka');
  const home = join(folder, 'haraka-dir');
  await children.run(haraka, ['-i', home]);
  const config = join(home, 'config');
  const forward = `host=127.0.0.1\nport=${sinkPort}\nenable_tls=false\n`;
  await writeFile(join(config, 'smtp.ini'), `listen=127.0.0.1:${port}\n`);
  await writeFile(join(config, 'plugins'), 'queue/smtp_forward\n');
  await writeFile(join(config, 'smtp_forward.ini'), `${forward}check_recipient=true\n\n[${recipientDomain}]\n${forward}`);
  await writeFile(join(config, 'log.ini'), '[main]\nlevel=warn\n');
  const child = children.start(haraka, ['-c', home]);
  await waitForPort(port, child, 60_000, 'Haraka');
  return { process: child, version };
}
