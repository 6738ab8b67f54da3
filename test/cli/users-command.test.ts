import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUsers } from '../../src/cli/users-command.js';
import { verifyPassword } from '../../src/smtp/password-hash.js';
import { openStore } from '../../src/store/open-store.js';

let dataDir: string;
/** A trust of two invented schools. */
let trustConfig: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hm-users-cli-'));
  trustConfig = join(dataDir, 'trust.yaml');
  await writeFile(trustConfig, ['schools:', '  - id: school-a-example', '    domains: [school-a-example.sch.uk]', '  - id: school-b-example', '    domains: [school-b-example.sch.uk]', ''].join('\n'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function users(args: string[], password?: string): Promise<{ status: number; lines: string[] }> {
  const lines: string[] = [];
  async function* stdin() {
    if (password !== undefined) yield Buffer.from(password);
  }
  const status = await runUsers([...args, '--data', dataDir], (line) => lines.push(line), stdin());
  return { status, lines };
}

describe('hallmonitor users', () => {
  it('adds a user with a scrypt hash of the password from stdin, and lists users', async () => {
    expect(await users(['add', 'DPO@example-school.sch.uk', '--role', 'dpo', '--password-stdin', '--json'], 'a sufficiently long password\n')).toEqual({
      status: 0,
      lines: ['{"email":"dpo@example-school.sch.uk","role":"dpo"}'],
    });
    expect((await users(['add', 'dsl@example-school.sch.uk', '--role', 'dsl', '--password-stdin'], 'another long password')).lines).toEqual(['added dsl@example-school.sch.uk as dsl']);

    const listed = await users(['list', '--json']);
    expect(listed.lines.map((line) => JSON.parse(line) as { email: string; role: string })).toMatchObject([
      { email: 'dpo@example-school.sch.uk', role: 'dpo', disabled: false },
      { email: 'dsl@example-school.sch.uk', role: 'dsl', disabled: false },
    ]);
    const store = await openStore({ dataDir });
    try {
      const stored = await store.users.credentials('dpo@example-school.sch.uk');
      expect(stored?.passwordHash).toMatch(/^scrypt\$/);
      expect(await verifyPassword('a sufficiently long password', stored!.passwordHash)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("limits an account to the schools given with --school, and shows each account's scope", async () => {
    expect(await users(['add', 'dpo@school-a-example.sch.uk', '--role', 'dpo', '--password-stdin', '--school', 'school-a-example', '--config', trustConfig, '--json'], 'a sufficiently long password')).toEqual({
      status: 0,
      lines: ['{"email":"dpo@school-a-example.sch.uk","role":"dpo","schools":["school-a-example"]}'],
    });
    expect((await users(['add', 'dsl@trust-example.org.uk', '--role', 'dsl', '--password-stdin', '--school', 'school-b-example', '--school', 'school-a-example', '--config', trustConfig], 'a sufficiently long password')).lines).toEqual([
      'added dsl@trust-example.org.uk as dsl for school-a-example, school-b-example',
    ]);
    await expect(users(['add', 'typo@school-a-example.sch.uk', '--role', 'dpo', '--password-stdin', '--school', 'school-c-example', '--config', trustConfig], 'a sufficiently long password')).rejects.toMatchObject({
      code: 'usage',
      message: expect.stringContaining('--school school-c-example: no such school in the configuration (its schools: school-a-example, school-b-example)'),
    });
    await expect(users(['add', 'typo@school-a-example.sch.uk', '--role', 'dpo', '--password-stdin', '--school', 'School A'], 'a sufficiently long password')).rejects.toMatchObject({ code: 'usage' });

    const listed = (await users(['list', '--json'])).lines.map((line) => JSON.parse(line) as { email: string; schools: unknown });
    expect(listed.map((user) => [user.email, user.schools])).toEqual([
      ['dpo@example-school.sch.uk', 'all'],
      ['dpo@school-a-example.sch.uk', ['school-a-example']],
      ['dsl@example-school.sch.uk', 'all'],
      ['dsl@trust-example.org.uk', ['school-a-example', 'school-b-example']],
    ]);
    expect(listed.map((user) => user.email)).not.toContain('typo@school-a-example.sch.uk');
    const text = (await users(['list'])).lines;
    expect(text.find((line) => line.startsWith('dpo@school-a-example.sch.uk\t'))).toMatch(/^dpo@school-a-example\.sch\.uk\tdpo\tschools: school-a-example\t\d{4}-/);
    expect(text.find((line) => line.startsWith('dpo@example-school.sch.uk\t'))).toMatch(/\tall schools\t/);
  });

  it('refuses bad input with a usage error (exit 2)', async () => {
    await expect(users(['add', 'x@example.org', '--role', 'dpo', '--password-stdin'], 'short')).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('12 characters') });
    await expect(users(['add', 'x@example.org', '--role', 'headteacher', '--password-stdin'], 'long enough password')).rejects.toMatchObject({ code: 'usage' });
    await expect(users(['add', 'x@example.org', '--role', 'dpo'], 'long enough password')).rejects.toMatchObject({ code: 'usage' });
    await expect(users(['add', 'not-an-address', '--role', 'dpo', '--password-stdin'], 'long enough password')).rejects.toMatchObject({ code: 'usage' });
    await expect(users(['add', 'dpo@example-school.sch.uk', '--role', 'dpo', '--password-stdin'], 'long enough password')).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('already exists') });
    await expect(users(['remove', 'x@example.org'])).rejects.toMatchObject({ code: 'usage' });
  });
});
