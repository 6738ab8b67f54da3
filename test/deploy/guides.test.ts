import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configReference } from '../../src/config/config-reference.js';
import { SECRET_VARIABLES } from '../../src/config/environment.js';
import { REPO } from './support/cli-command.js';

/** The deployment guides: what they link to and the files and settings they name must exist. */
const GUIDES = ['deploy.md', 'install-without-docker.md', 'lgfl.md', 'roster-refresh.md', 'rotation.md', 'backup.md', 'dpia.md'].map((name) => join(REPO, 'docs', name));

describe.each(GUIDES)('%s', (guide) => {
  const text = readFileSync(guide, 'utf8');

  it('links only to files that exist', () => {
    const links = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/.test(target));
    for (const target of links) expect(existsSync(join(dirname(guide), target)), target).toBe(true);
  });

  it('names only files of this repository that exist', () => {
    const named = [...text.matchAll(/(?:\/opt\/hallmonitor\/|`)(deploy\/[\w./-]+|docker-compose\.yml|Dockerfile)/g)].map((match) => match[1]!.replace(/[.`]$/, ''));
    for (const path of named) expect(existsSync(join(REPO, path)), path).toBe(true);
  });

  it('names only settings and secret variables the configuration has', () => {
    const settings = configReference().map((setting) => setting.path);
    const objects = new Set(settings.filter((path) => settings.some((other) => other.startsWith(`${path}.`))));
    const dotted = [...text.matchAll(/`((\w+(?:\[\])?)\.[\w-]+)`/g)].filter((match) => objects.has(match[2]!)).map((match) => match[1]!);
    for (const setting of dotted) expect(settings, setting).toContain(setting);
    for (const [variable] of text.matchAll(/HALLMONITOR_[A-Z_]+/g)) {
      expect([...Object.keys(SECRET_VARIABLES), 'HALLMONITOR_TRACE_SECRET'], variable).toContain(variable);
    }
  });
});
