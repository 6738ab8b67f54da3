import { appendFile, mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RawSmtp } from '../smtp/support/raw-smtp.js';
import { startCli, type CliProcess } from './support/cli-process.js';
import { swaks } from './support/swaks.js';

const TEACHER = 'teacher@reload-example.sch.uk';
const FIRST_ROSTER = 'UPN,Legal Forename,Legal Surname\nA111,Bramwell,Ostrowski\n';
const BROKEN_ROSTER = 'UPN,Legal Forename\nA333,Nobody\n';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A school whose roster knows one invented pupil, and a message naming another who is not on it yet. */
async function reloadSite(options: { reloadOnFileChange: boolean }) {
  const folder = await mkdtemp(join(tmpdir(), 'hm-reload-'));
  const roster = join(folder, 'pupils.csv');
  await writeFile(roster, FIRST_ROSTER);
  const config = join(folder, 'hallmonitor.yaml');
  await writeFile(
    config,
    [
      `data: ${join(folder, 'data')}`,
      'listen: 127.0.0.1:0',
      'web: 127.0.0.1:0',
      `reloadOnFileChange: ${options.reloadOnFileChange}`,
      'schools:',
      '  - id: reload-school',
      '    domains: [reload-example.sch.uk]',
      `    roster: ${roster}`,
      '',
    ].join('\n'),
  );
  const message = (pupil: string) => `From: ${TEACHER}\r\nTo: parent@example.org\r\nSubject: Report for ${pupil}\r\n\r\nPlease find the report attached.\r\n`;
  const newPupil = join(folder, 'report.eml');
  await writeFile(newPupil, message('Zephyrine Quillfeather'));
  const oldPupil = join(folder, 'old-report.eml');
  await writeFile(oldPupil, message('Bramwell Ostrowski'));
  return { folder, roster, config, newPupil, oldPupil };
}

async function serving(config: string, run: (serve: CliProcess, send: (file: string) => Promise<number | undefined>) => Promise<void>): Promise<void> {
  const serve = startCli(['serve', '--config', config]);
  try {
    const port = (await serve.logged('hallmonitor started')).smtp!.port;
    await run(serve, async (file) => (await swaks(port, file, { from: TEACHER, to: ['parent@example.org'] })).lastCode);
    expect(await serve.stop()).toBe(0);
  } finally {
    serve.child.kill('SIGKILL');
  }
}

describe('SIGHUP reloads the schools', () => {
  it('puts a new roster in force without a restart, and keeps the old one when the new file is bad', async () => {
    const site = await reloadSite({ reloadOnFileChange: false });
    await serving(site.config, async (serve, send) => {
      expect(await send(site.newPupil)).toBe(250);

      await appendFile(site.roster, 'A222,Zephyrine,Quillfeather\n');
      // With reloadOnFileChange off, a changed file alone changes nothing.
      await pause(2_500);
      expect(serve.count('reloading the schools')).toBe(0);
      expect(await send(site.newPupil)).toBe(250);

      serve.child.kill('SIGHUP');
      await serve.logged('schools reloaded');
      expect(await send(site.newPupil)).toBe(550);

      await writeFile(site.roster, BROKEN_ROSTER);
      serve.child.kill('SIGHUP');
      await serve.logged('reload refused: the schools in force stay');
      expect(await send(site.newPupil)).toBe(550);
    });
  }, 90_000);
});

describe('a change to a roster file reloads the schools (reloadOnFileChange)', () => {
  it('catches a pupil added to the file, refuses a broken file and keeps the old roster, and drops no connection', async () => {
    const site = await reloadSite({ reloadOnFileChange: true });
    await serving(site.config, async (serve, send) => {
      const port = (await serve.logged('hallmonitor started')).smtp!.port;
      expect(await send(site.newPupil)).toBe(250);

      // A session opened before the change, left half-way through its transaction across the reload.
      const { client, greeting } = await RawSmtp.open(port);
      expect(greeting).toMatch(/^220/);
      expect(await client.command('EHLO staff-pc.reload-example.sch.uk')).toMatch(/^250/);
      expect(await client.command(`MAIL FROM:<${TEACHER}>`)).toMatch(/^250/);

      // An export tool writing the new roster in several goes: one reload, once the file is quiet.
      await appendFile(site.roster, 'A222,Zephyrine,');
      await pause(400);
      await appendFile(site.roster, 'Quillfeather\n');
      await serve.logged('schools reloaded');
      expect(serve.lines.find((line) => line.msg === 'reloading the schools')?.cause).toBe('file-change');
      expect(serve.count('reload refused: the schools in force stay')).toBe(0);
      expect(await send(site.newPupil)).toBe(550);

      // The session opened before the reload completes, under the new roster.
      expect(await client.command('RCPT TO:<parent@example.org>')).toMatch(/^250/);
      expect(await client.command('DATA')).toMatch(/^354/);
      client.write('From: teacher@reload-example.sch.uk\r\nTo: parent@example.org\r\nSubject: Report for Zephyrine Quillfeather\r\n\r\nAttached.\r\n.\r\n');
      expect(await client.reply()).toMatch(/^550/);
      expect(await client.command('QUIT')).toMatch(/^221/);

      // A broken roster, put in place as an editor saves: written aside, renamed over the file.
      await writeFile(join(site.folder, '.pupils.csv.swp'), BROKEN_ROSTER);
      await rename(join(site.folder, '.pupils.csv.swp'), site.roster);
      await serve.logged('reload refused: the schools in force stay');
      const refusal = serve.lines.find((line) => line.msg === 'reload refused: the schools in force stay')!;
      expect(JSON.stringify(refusal)).not.toMatch(/Nobody|A333/);
      expect(await send(site.newPupil)).toBe(550);
      expect(await send(site.oldPupil)).toBe(550);
      expect(serve.count('schools reloaded')).toBe(1);
    });
  }, 90_000);
});
