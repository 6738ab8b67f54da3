import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..', '..');

/** The compiled CLI that the image and the units run (`npm run build` makes it; `npm test` builds first). */
export const BUILT_CLI = 'dist/src/cli/main.js';

/**
 * Whether the built CLI has `command`: it is run with a configuration file that does not exist, so a
 * known command stops at reading it (exit 2) without starting anything, and an unknown one says so.
 */
export function cliKnowsCommand(command: string): { known: boolean; stderr: string } {
  const cli = join(REPO, BUILT_CLI);
  if (!existsSync(cli)) throw new Error(`${BUILT_CLI} is missing: run npm run build first`);
  const missing = join(REPO, 'test', 'deploy', 'no-such-config.yaml');
  const run = spawnSync(process.execPath, [cli, command, '--config', missing], { cwd: REPO, encoding: 'utf8', timeout: 20_000 });
  const stderr = run.stderr ?? '';
  return { known: run.status === 2 && !/unknown command/.test(stderr) && stderr.includes('no-such-config.yaml'), stderr };
}
