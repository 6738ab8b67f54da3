import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed package's folder, found the same way from `src/` (tests) and `dist/src/` (the CLI). */
function findPackageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('hallmonitor: cannot find its package folder');
    directory = parent;
  }
  return directory;
}

export const PACKAGE_ROOT = findPackageRoot();

/** The rules shipped with Hallmonitor: the default policy and the detectors' vocabularies. */
export const DEFAULT_RULES_DIRECTORY = join(PACKAGE_ROOT, 'rules');
