import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runUsers } from '../../src/cli/users-command.js';
import { verifyPassword } from '../../src/smtp/password-hash.js';
import { openStore } from '../../src/store/open-store.js';
import { newTotpSecret } from '../../src/web/totp.js';
import { runCli } from './run-cli.js';

// Each new password is hashed with scrypt at N=2^17 (a third of a second alone, seconds on a busy machine), in several processes here.
vi.setConfig({ testTimeout: 120_000 });

let dataDir: string;
/** A trust of two invented schools. */
let trustConfig: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hm-users-cli-'));
  trustConfig = join(dataDir, 'trust.yaml');
  await writeFile(
    trustConfig,
    ['schools:', '  - id: school-a-example', '    domains: [school-a-example.sch.uk]', '  - id: school-b-example', '    domains: [school-b-example.sch.uk]', ''].join('\n'),
  );
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
    expect((await users(['add', 'dsl@example-school.sch.uk', '--role', 'dsl', '--password-stdin', '--all-schools'], 'another long password')).lines).toEqual([
      'added dsl@example-school.sch.uk as dsl',
    ]);

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
    expect(
      await users(
        ['add', 'dpo@school-a-example.sch.uk', '--role', 'dpo', '--password-stdin', '--school', 'school-a-example', '--config', trustConfig, '--json'],
        'a sufficiently long password',
      ),
    ).toEqual({
      status: 0,
      lines: ['{"email":"dpo@school-a-example.sch.uk","role":"dpo","schools":["school-a-example"]}'],
    });
    expect(
      (
        await users(
          ['add', 'dsl@trust-example.org.uk', '--role', 'dsl', '--password-stdin', '--school', 'school-b-example', '--school', 'school-a-example', '--config', trustConfig],
          'a sufficiently long password',
        )
      ).lines,
    ).toEqual(['added dsl@trust-example.org.uk as dsl for school-a-example, school-b-example']);
    await expect(
      users(['add', 'typo@school-a-example.sch.uk', '--role', 'dpo', '--password-stdin', '--school', 'school-c-example', '--config', trustConfig], 'a sufficiently long password'),
    ).rejects.toMatchObject({
      code: 'usage',
      message: expect.stringContaining('--school school-c-example: no such school in the configuration (its schools: school-a-example, school-b-example)'),
    });
    await expect(users(['add', 'typo@school-a-example.sch.uk', '--role', 'dpo', '--password-stdin', '--school', 'School A'], 'a sufficiently long password')).rejects.toMatchObject(
      { code: 'usage' },
    );

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
    await expect(users(['add', 'x@example.org', '--role', 'dpo', '--password-stdin', '--all-schools'], 'short')).rejects.toMatchObject({
      code: 'usage',
      message: expect.stringContaining('12 characters'),
    });
    await expect(users(['add', 'x@example.org', '--role', 'headteacher', '--password-stdin', '--all-schools'], 'long enough password')).rejects.toMatchObject({ code: 'usage' });
    await expect(users(['add', 'x@example.org', '--role', 'dpo', '--all-schools'], 'long enough password')).rejects.toMatchObject({ code: 'usage' });
    await expect(users(['add', 'not-an-address', '--role', 'dpo', '--password-stdin', '--all-schools'], 'long enough password')).rejects.toMatchObject({ code: 'usage' });
    await expect(users(['add', 'dpo@example-school.sch.uk', '--role', 'dpo', '--password-stdin', '--all-schools'], 'long enough password')).rejects.toMatchObject({
      code: 'usage',
      message: expect.stringContaining('already exists'),
    });
    await expect(users(['remove', 'x@example.org'])).rejects.toMatchObject({ code: 'usage' });
  });

  it('in a trust of several schools, refuses an account whose schools are not said: --school or --all-schools, not neither, not both', async () => {
    await expect(users(['add', 'vague@example.org', '--role', 'dsl', '--password-stdin', '--config', trustConfig], 'long enough password')).rejects.toMatchObject({
      code: 'usage',
      message:
        "say which schools the account may see: --school ID (repeatable; the configuration's schools: school-a-example, school-b-example), or --all-schools for the whole trust",
    });
    await expect(
      users(['add', 'vague@example.org', '--role', 'dsl', '--password-stdin', '--all-schools', '--school', 'school-a-example'], 'long enough password'),
    ).rejects.toMatchObject({ code: 'usage' });
    expect((await users(['list', '--json'])).lines.join('\n')).not.toContain('vague@');
    expect(
      (await users(['add', 'trust.admin@trust-example.org.uk', '--role', 'admin', '--password-stdin', '--all-schools', '--config', trustConfig, '--json'], 'long enough password'))
        .lines,
    ).toEqual(['{"email":"trust.admin@trust-example.org.uk","role":"admin"}']);
  });

  it('disables, enables, replaces the password, changes the role and removes an account, each in the audit log as the operator with the reason', async () => {
    const email = 'lifecycle@school-a-example.sch.uk';
    expect((await users(['add', email, '--role', 'dsl', '--password-stdin', '--school', 'school-a-example', '--config', trustConfig], 'the first long password')).status).toBe(0);
    const sessionOf = async () => {
      const store = await openStore({ dataDir });
      try {
        return (await store.users.startSession(email)).token;
      } finally {
        await store.close();
      }
    };
    const resume = async (token: string) => {
      const store = await openStore({ dataDir });
      try {
        return await store.users.resume(token);
      } finally {
        await store.close();
      }
    };

    const open = await sessionOf();
    expect(await users(['disable', email.toUpperCase(), '--reason', 'left the school', '--json'])).toEqual({ status: 0, lines: [`{"email":"${email}","disabled":true}`] });
    expect(await resume(open)).toBeUndefined();
    expect((await users(['list'])).lines.find((line) => line.startsWith(`${email}\t`))).toMatch(/\tdisabled$/);
    expect(await users(['enable', email])).toEqual({ status: 0, lines: [`enabled ${email}: it can sign in again`] });
    expect((await users(['list', '--json'])).lines.map((line) => JSON.parse(line) as { email: string; disabled: boolean }).find((user) => user.email === email)?.disabled).toBe(
      false,
    );

    const before = await sessionOf();
    await expect(users(['set-password', email, '--password-stdin'], 'too short')).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('12 characters') });
    await expect(users(['set-password', email], 'the second long password')).rejects.toMatchObject({ code: 'usage' });
    expect((await users(['set-password', email, '--password-stdin', '--reason', 'forgotten'], 'the second long password\n')).status).toBe(0);
    expect(await resume(before)).toBeUndefined();
    const store = await openStore({ dataDir });
    try {
      const stored = await store.users.credentials(email);
      expect(await verifyPassword('the first long password', stored!.passwordHash)).toBe(false);
      expect(await verifyPassword('the second long password', stored!.passwordHash)).toBe(true);
    } finally {
      await store.close();
    }

    await expect(users(['set-role', email, 'headteacher'])).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('dpo, business-manager, dsl, admin') });
    await expect(users(['set-role', email])).rejects.toMatchObject({ code: 'usage' });
    expect(await users(['set-role', email, 'admin', '--reason', 'covering the summer', '--json'])).toEqual({ status: 0, lines: [`{"email":"${email}","role":"admin"}`] });

    const last = await sessionOf();
    expect((await users(['remove', email, '--reason', 'account no longer needed'])).lines).toEqual([
      `removed ${email}: its sessions and schools are gone; the audit log keeps what it did`,
    ]);
    expect(await resume(last)).toBeUndefined();
    expect((await users(['list'])).lines.join('\n')).not.toContain(email);

    for (const args of [
      ['disable', email],
      ['enable', email],
      ['set-role', email, 'dpo'],
      ['remove', email],
    ]) {
      await expect(users(args)).rejects.toMatchObject({ code: 'usage', message: `no account ${email}: see hallmonitor users list` });
    }
    await expect(users(['set-password', email, '--password-stdin'], 'a third long password')).rejects.toMatchObject({
      code: 'usage',
      message: expect.stringContaining('no account'),
    });

    const audit = await openStore({ dataDir });
    try {
      expect(await audit.audit.verify()).toMatchObject({ ok: true });
    } finally {
      await audit.close();
    }
    const database = new (await import('better-sqlite3')).default(join(dataDir, 'hallmonitor.sqlite'), { readonly: true });
    try {
      const rows = database.prepare('SELECT actor, action, reason FROM audit_log WHERE reason LIKE ? ORDER BY seq').all(`account ${email}:%`) as {
        actor: string;
        action: string;
        reason: string;
      }[];
      expect(rows.map((row) => [row.action, row.reason])).toEqual([
        ['account-add', `account ${email}: dsl, school-a-example`],
        ['account-disable', `account ${email}: disabled. Reason: left the school`],
        ['account-enable', `account ${email}: enabled`],
        ['account-password', `account ${email}: password replaced, sessions ended. Reason: forgotten`],
        ['account-role', `account ${email}: role dsl → admin, sessions ended until MFA is enrolled. Reason: covering the summer`],
        ['account-remove', `account ${email}: removed. Reason: account no longer needed`],
      ]);
      expect(new Set(rows.map((row) => row.actor))).toEqual(new Set([`cli:${userInfo().username}`]));
      expect(JSON.stringify(rows)).not.toMatch(/long password|scrypt/);
    } finally {
      database.close();
    }
  });

  it('resets an account’s MFA and sets whether Entra ID guests may sign in as it, audited as the operator', async () => {
    const email = 'mfa.reset@school-a-example.sch.uk';
    expect((await users(['add', email, '--role', 'dpo', '--password-stdin', '--all-schools', '--entra-guest'], 'a long enough password')).status).toBe(0);
    let token = '';
    const store = await openStore({ dataDir });
    try {
      await store.users.enrolmentSecret(email, newTotpSecret);
      await store.users.finishEnrolment(email, 1);
      token = (await store.users.startSession(email)).token;
    } finally {
      await store.close();
    }
    const listed = () =>
      users(['list', '--json']).then(({ lines }) =>
        lines.map((line) => JSON.parse(line) as { email: string; mfa: boolean; entraGuest: boolean }).find((user) => user.email === email),
      );
    expect(await listed()).toMatchObject({ mfa: true, entraGuest: true });

    expect(await users(['reset-mfa', email, '--reason', 'lost phone'])).toEqual({
      status: 0,
      lines: [`reset MFA of ${email}: its authenticator and recovery codes are gone, its sessions ended; it sets up a new authenticator at its next sign-in`],
    });
    expect(await users(['set-entra-guest', email, 'refuse', '--json'])).toEqual({ status: 0, lines: [`{"email":"${email}","entraGuest":false}`] });
    await expect(users(['set-entra-guest', email, 'maybe'])).rejects.toMatchObject({ code: 'usage' });
    await expect(users(['reset-mfa', 'nobody@school-a-example.sch.uk'])).rejects.toMatchObject({
      code: 'usage',
      message: 'no account nobody@school-a-example.sch.uk: see hallmonitor users list',
    });
    expect(await listed()).toMatchObject({ mfa: false, entraGuest: false });
    const after = await openStore({ dataDir });
    try {
      expect(await after.users.resume(token)).toBeUndefined();
      expect(await after.users.totpState(email)).toBeUndefined();
    } finally {
      await after.close();
    }
    const database = new (await import('better-sqlite3')).default(join(dataDir, 'hallmonitor.sqlite'), { readonly: true });
    try {
      const rows = database.prepare('SELECT actor, action, reason FROM audit_log WHERE reason LIKE ? ORDER BY seq').all(`account ${email}:%`) as {
        actor: string;
        action: string;
        reason: string;
      }[];
      expect(rows.slice(-2)).toEqual([
        { actor: `cli:${userInfo().username}`, action: 'account-mfa-reset', reason: `account ${email}: MFA reset, sessions ended. Reason: lost phone` },
        { actor: `cli:${userInfo().username}`, action: 'account-entra-guest', reason: `account ${email}: Entra ID guests refused` },
      ]);
    } finally {
      database.close();
    }
  });

  it('runs as the installed command: --help exits 0, an unknown account exits 2 with one line', () => {
    const help = runCli(['users', '--help']);
    expect(help.status).toBe(0);
    for (const subcommand of ['add', 'list', 'disable', 'enable', 'set-password', 'set-role', 'remove', 'reset-mfa', 'set-entra-guest'])
      expect(help.stdout).toMatch(new RegExp(`hallmonitor users ${subcommand}\\b`));
    const unknown = runCli(['users', 'disable', 'nobody@example.org', '--data', dataDir]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe('hallmonitor: no account nobody@example.org: see hallmonitor users list\n');
  });
});
