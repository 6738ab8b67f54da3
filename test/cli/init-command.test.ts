import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configReference, renderConfigurationDoc } from '../../src/config/config-reference.js';
import { configSchema } from '../../src/config/config.js';
import { runCli } from './run-cli.js';

describe('hallmonitor init', () => {
  it('writes a configuration that, as written, means exactly the embedded defaults', async () => {
    const output = join(await mkdtemp(join(tmpdir(), 'hm-init-')), 'hallmonitor.yaml');
    const run = runCli(['init', '--output', output]);
    expect(run.status, run.stderr).toBe(0);
    const text = await readFile(output, 'utf8');
    expect(configSchema.parse(parse(text))).toEqual(configSchema.parse({}));
    expect((await stat(output)).mode & 0o077).toBe(0o040);
  });

  it('mentions every setting with its description, including those without a default', async () => {
    const output = join(await mkdtemp(join(tmpdir(), 'hm-init-')), 'hallmonitor.yaml');
    expect(runCli(['init', '--output', output]).status).toBe(0);
    const text = await readFile(output, 'utf8');
    for (const setting of configReference().filter((each) => !each.path.includes('[]'))) {
      const name = setting.path.split('.').at(-1)!;
      expect(text, setting.path).toMatch(new RegExp(`^\\s*(# )?${name}:`, 'm'));
      expect(setting.description, setting.path).not.toBe('');
      expect(text).toContain(setting.description);
    }
    expect(text).toContain('HALLMONITOR_QUARANTINE_KEY');
  });

  it('never replaces an existing file unless told to', async () => {
    const output = join(await mkdtemp(join(tmpdir(), 'hm-init-')), 'hallmonitor.yaml');
    await writeFile(output, 'listen: 0.0.0.0:25\n');
    const refused = runCli(['init', '--output', output]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/exists already; use --force/);
    expect(await readFile(output, 'utf8')).toBe('listen: 0.0.0.0:25\n');
    expect(runCli(['init', '--output', output, '--force']).status).toBe(0);
    expect(await readFile(output, 'utf8')).toContain('# Hallmonitor configuration');
  });

  it('docs/configuration.md is generated from the schema, so the two cannot drift', async () => {
    expect(await readFile('docs/configuration.md', 'utf8')).toBe(renderConfigurationDoc(configReference()));
    for (const setting of configReference()) expect(setting.description, setting.path).not.toBe('');
  });
});
