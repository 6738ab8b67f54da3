import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanFile } from '../../src/cli/scan-command.js';
import { loadConfigFile, schoolSources } from '../../src/config/config.js';
import { loadTenants, schoolForSender, type Tenants } from '../../src/scan/tenants.js';

const PROFANITY = 'fixtures/corpus/profanity-british.eml';

async function writeConfig(text: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'hm-tenants-'));
  await mkdir(join(folder, 'oakfield-rules'));
  await writeFile(join(folder, 'oakfield-rules', 'overrides.yaml'), 'disable: [profanity]\n');
  const path = join(folder, 'hallmonitor.yaml');
  await writeFile(path, text.replaceAll('FIXTURES', resolve('fixtures')));
  return path;
}

const TWO_SCHOOLS = `schools:
  - id: st-marys
    domains: [stmarys-example.sch.uk]
    roster: FIXTURES/roster/pupils.csv
    staffGroups: { dsl: [Dsl@StMarys-Example.sch.uk] }
  - id: oakfield
    domains: [oakfield-example.sch.uk]
    rules: oakfield-rules
`;

describe('several schools on one gateway', () => {
  let tenants: Tenants;
  beforeAll(async () => {
    const path = await writeConfig(TWO_SCHOOLS);
    tenants = await loadTenants(schoolSources(await loadConfigFile(path), path));
  });

  it('chooses the school by the sender’s domain, subdomains included', () => {
    expect(schoolForSender(tenants, 'head@stmarys-example.sch.uk')?.school.id).toBe('st-marys');
    expect(schoolForSender(tenants, 'office@mail.oakfield-example.sch.uk')?.school.id).toBe('oakfield');
    expect(schoolForSender(tenants, 'someone@elsewhere.example')).toBeUndefined();
  });

  it('gives each school its own roster', () => {
    const [stMarys, oakfield] = tenants.schools;
    expect(stMarys!.school.directory.pupils.size).toBeGreaterThan(200);
    expect(oakfield!.school.directory.pupils.size).toBe(0);
  });

  it('applies a school’s overrides only to that school’s mail', async () => {
    const fromStMarys = await scanFile(PROFANITY, tenants, { mailFrom: 'teacher@stmarys-example.sch.uk' });
    const fromOakfield = await scanFile(PROFANITY, tenants, { mailFrom: 'teacher@oakfield-example.sch.uk' });
    expect(fromStMarys.verdict.action).toBe('return');
    expect(fromOakfield.findings.map((finding) => finding.category)).toContain('language/profanity');
    expect(fromOakfield.verdict.action).toBe('deliver');
  });

  it('reads staff groups case-insensitively for sender rules', () => {
    expect(tenants.schools[0]!.school.staffGroups.get('dsl@stmarys-example.sch.uk')).toEqual(['dsl']);
  });
});

describe('configuration errors', () => {
  it('name the file, line and field of a bad value', async () => {
    const path = await writeConfig(TWO_SCHOOLS.replace('[oakfield-example.sch.uk]', '[not a domain]'));
    await expect(loadConfigFile(path)).rejects.toThrow(/hallmonitor\.yaml:7 schools\[1\]\.domains\[0\]: a mail domain/);
  });

  it('refuse a domain claimed by two schools', async () => {
    const path = await writeConfig(TWO_SCHOOLS.replace('[oakfield-example.sch.uk]', '[stmarys-example.sch.uk]'));
    await expect(loadConfigFile(path)).rejects.toThrow(/stmarys-example\.sch\.uk already belongs to st-marys/);
  });

  it('refuse unknown keys', async () => {
    const path = await writeConfig(`${TWO_SCHOOLS}    colour: blue\n`);
    await expect(loadConfigFile(path)).rejects.toThrow(/schools\[1\]/);
  });
});
