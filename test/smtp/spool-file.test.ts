import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spoolMessage } from '../../src/smtp/spool-file.js';

let folder: string;
let next = 0;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'hallmonitor-spool-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function chunksOf(text: string, size: number): Readable {
  const data = Buffer.from(text, 'latin1');
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += size) chunks.push(data.subarray(offset, offset + size));
  return Readable.from(chunks);
}

function spoolPath(): string {
  next += 1;
  return join(folder, `${next}.eml`);
}

const MESSAGE = `Subject: spool\r\n\r\n${'A line of the body.\r\n'.repeat(500)}`;

describe('spoolMessage', () => {
  it('returns a message small enough to hold in memory as its bytes, and writes no file', async () => {
    const before = await readdir(folder);
    const outcome = await spoolMessage(chunksOf(MESSAGE, 1000), spoolPath(), 1_000_000);
    expect(outcome).toMatchObject({ kind: 'stored', sizeBytes: MESSAGE.length });
    expect(outcome.kind === 'stored' && outcome.bytes?.toString('latin1')).toBe(MESSAGE);
    expect(await readdir(folder)).toEqual(before);
  });

  it('writes a message larger than it keeps in memory to its file as it comes, the held part first, readable by the gateway only', async () => {
    const path = spoolPath();
    const outcome = await spoolMessage(chunksOf(MESSAGE, 700), path, 1_000_000, { keepInMemoryBytes: 2_000 });
    expect(outcome).toEqual({ kind: 'stored', sizeBytes: MESSAGE.length, path });
    expect((await readFile(path)).toString('latin1')).toBe(MESSAGE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['in memory', 1_000_000],
    ['being written', 500],
  ])('leaves no file for a message over the size limit or with a bare line feed (%s)', async (_label, keepInMemoryBytes) => {
    const before = await readdir(folder);
    let toldTooBig = 0;
    const tooBig = await spoolMessage(chunksOf(MESSAGE, 1000), spoolPath(), 5_000, { keepInMemoryBytes, onTooBig: () => (toldTooBig += 1) });
    const bareLf = await spoolMessage(chunksOf(`${MESSAGE}bare\nline\r\n`, 1000), spoolPath(), 1_000_000, { keepInMemoryBytes });
    expect([tooBig, bareLf]).toEqual([{ kind: 'too-big' }, { kind: 'bare-line-ending' }]);
    expect(toldTooBig).toBe(1);
    expect(await readdir(folder)).toEqual(before);
  });

  it('never writes over a file already there', async () => {
    const path = spoolPath();
    await spoolMessage(chunksOf(MESSAGE, 1000), path, 1_000_000, { keepInMemoryBytes: 0 });
    await expect(spoolMessage(chunksOf(MESSAGE, 1000), path, 1_000_000, { keepInMemoryBytes: 0 })).rejects.toMatchObject({ code: 'EEXIST' });
  });
});
