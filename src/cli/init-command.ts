import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { configReference, renderConfigurationDoc, renderInitFile } from '../config/config-reference.js';
import { UsageError } from './usage-error.js';

export const USAGE = 'hallmonitor init [--output FILE] [--force] | hallmonitor init --reference';
const DEFAULT_OUTPUT = 'hallmonitor.yaml';

/**
 * `hallmonitor init`: writes a configuration file with every setting, its default and what it does; it never
 * overwrites a file unless told to. `--reference` prints docs/configuration.md instead.
 */
export async function runInit(args: readonly string[], write: (line: string) => void): Promise<number> {
  const { values } = parseFlags(args);
  const reference = configReference();
  if (values.reference) {
    write(renderConfigurationDoc(reference).trimEnd());
    return 0;
  }
  const output = values.output ?? DEFAULT_OUTPUT;
  try {
    await writeFile(output, renderInitFile(reference), { flag: values.force ? 'w' : 'wx', mode: 0o640 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${output} exists already; use --force to replace it`);
    throw new UsageError(`cannot write ${output} (${code ?? 'error'})`);
  }
  write(`wrote ${output}: edit it, then run hallmonitor serve --config ${output}`);
  return 0;
}

function parseFlags(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: { output: { type: 'string' }, force: { type: 'boolean' }, reference: { type: 'boolean' } } });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${USAGE}`);
  }
}
