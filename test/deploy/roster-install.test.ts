import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_CLI, REPO } from './support/cli-command.js';

/** deploy/bin/hallmonitor-roster-install, run for real on invented rosters (docs/roster-refresh.md). */
const SCRIPT = join(REPO, 'deploy', 'bin', 'hallmonitor-roster-install');
const HEADER = 'Id,Legal Forename,Legal Surname,Year';
const pupils = (count: number) => [HEADER, ...Array.from({ length: count }, (_, index) => `EXP${index},Invented${index},Pupilson${index},Year 3`)].join('\n') + '\n';

describe('hallmonitor-roster-install', () => {
  let root: string;
  let incoming: string;
  let roster: string;
  let marker: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'roster-install-'));
    incoming = join(root, 'incoming');
    roster = join(root, 'roster');
    marker = join(root, 'reloaded');
    for (const folder of [incoming, roster]) spawnSync('mkdir', ['-p', folder]);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function run(extra: Record<string, string> = {}) {
    const user = userInfo();
    return spawnSync('sh', [SCRIPT, incoming, roster], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        OWNER: String(user.uid),
        GROUP: String(user.gid),
        RUN_AS: '',
        NODE: process.execPath,
        CLI: join(REPO, BUILT_CLI),
        RELOAD: `touch ${marker}`,
        ...extra,
      },
    });
  }

  it('installs a readable export, keeps the previous one, and reloads once', () => {
    writeFileSync(join(roster, 'pupils.csv'), pupils(10));
    writeFileSync(join(incoming, 'pupils.csv'), pupils(11));
    writeFileSync(join(incoming, 'staff.csv'), pupils(2));
    const result = run();
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(join(roster, 'pupils.csv'), 'utf8')).toBe(pupils(11));
    expect(readFileSync(join(roster, 'pupils.csv.previous'), 'utf8')).toBe(pupils(10));
    expect(readFileSync(join(roster, 'staff.csv'), 'utf8')).toBe(pupils(2));
    expect(existsSync(join(incoming, 'pupils.csv'))).toBe(false);
    expect(existsSync(marker)).toBe(true);
  });

  it('refuses a file Hallmonitor cannot read as a roster, and leaves the current one', () => {
    writeFileSync(join(roster, 'pupils.csv'), pupils(3));
    writeFileSync(join(incoming, 'pupils.csv'), 'Colour,Shape\nred,square\nblue,circle\ngreen,triangle\n');
    const result = run();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/not a roster Hallmonitor can read/);
    expect(readFileSync(join(roster, 'pupils.csv'), 'utf8')).toBe(pupils(3));
    expect(existsSync(join(roster, '.pupils.csv.new'))).toBe(false);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses an export that lost more than half its rows unless forced', () => {
    writeFileSync(join(roster, 'pupils.csv'), pupils(20));
    writeFileSync(join(incoming, 'pupils.csv'), pupils(5));
    expect(run().status).toBe(1);
    expect(readFileSync(join(roster, 'pupils.csv'), 'utf8')).toBe(pupils(20));
    expect(run({ FORCE: '1' }).status).toBe(0);
    expect(readFileSync(join(roster, 'pupils.csv'), 'utf8')).toBe(pupils(5));
  });

  it('does nothing when the export has not changed', () => {
    writeFileSync(join(roster, 'pupils.csv'), pupils(4));
    writeFileSync(join(incoming, 'pupils.csv'), pupils(4));
    expect(run().status).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });
});
