import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trialOutbox } from '../../src/delivery/next-hop.js';
import { awkwardMessage, spool, spoolDirectory } from '../actions/support/spool.js';

describe('trialOutbox', () => {
  it('writes the exact bytes to DIRECTORY/<id>.eml and answers 250, leaving no temporary file', async () => {
    const directory = join(await spoolDirectory(), 'outbox');
    const raw = awkwardMessage();
    const message = await spool(await spoolDirectory(), raw, 'teacher@school.sch.uk', ['parent@example.org']);
    const { reply } = await trialOutbox(directory).deliver(message);
    expect(reply).toEqual({ code: 250, message: '2.0.0 written to the outbox (trial mode)' });
    expect((await readFile(join(directory, `${message.id}.eml`))).equals(raw)).toBe(true);
    expect(await readdir(directory)).toEqual([`${message.id}.eml`]);
  });

  it('answers 451 when the outbox cannot be created', async () => {
    const parent = await spoolDirectory();
    await writeFile(join(parent, 'not-a-directory'), '');
    const message = await spool(await spoolDirectory(), awkwardMessage(), 'teacher@school.sch.uk', ['parent@example.org']);
    const { reply } = await trialOutbox(join(parent, 'not-a-directory', 'outbox')).deliver(message);
    expect(reply).toEqual({ code: 451, message: '4.3.0 could not write to the outbox; try again later' });
  });

  it('answers 451 for a spool id that is not a plain file name, and writes nothing outside the outbox', async () => {
    const parent = await spoolDirectory();
    const directory = join(parent, 'outbox');
    const message = await spool(await spoolDirectory(), awkwardMessage(), 'teacher@school.sch.uk', ['parent@example.org']);
    const { reply } = await trialOutbox(directory).deliver({ ...message, id: '../escaped' });
    expect(reply.code).toBe(451);
    expect(await readdir(parent)).toEqual([]);
  });

  it('answers 451 when the spool file is gone, leaving no partial file', async () => {
    const directory = join(await spoolDirectory(), 'outbox');
    const message = await spool(await spoolDirectory(), awkwardMessage(), 'teacher@school.sch.uk', ['parent@example.org']);
    const { reply } = await trialOutbox(directory).deliver({ ...message, path: join(directory, 'missing.spool'), bytes: undefined });
    expect(reply.code).toBe(451);
    expect(await readdir(directory)).toEqual([]);
  });
});
