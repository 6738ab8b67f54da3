import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { attachmentText, readAttachment } from '../support/attach.js';

describe('gzip and bzip2 attachments', () => {
  it('names the file inside after the attachment when the header has no name', async () => {
    const { view } = await readAttachment('notes.txt.gz', gzipSync('Notes on Kwame Mensah'));
    expect(view.attachments.map((file) => file.name)).toEqual(['notes.txt.gz', 'notes.txt.gz/notes.txt']);
    expect(attachmentText(view.pieces, 'notes.txt.gz/notes.txt')).toBe('Notes on Kwame Mensah');
  });

  it('stops a gzip bomb at maxDecompressedBytes', async () => {
    const { view, attachment } = await readAttachment('bomb.gz', gzipSync(Buffer.alloc(20 * 1024 * 1024)), { limits: { maxDecompressedBytes: 1024 * 1024 } });
    expect(attachment.facts).toEqual([{ kind: 'unscannable', detail: 'this gzip file was not fully read: it decompresses to more than 1 MB (a possible zip bomb)' }]);
    expect(view.problems.map((problem) => problem.kind)).toEqual(['too-large']);
  });

  it('stops a bzip2 bomb at maxDecompressedBytes', async () => {
    const bomb = await readFile('fixtures/formats/zeros-20mb.bz2');
    const { attachment } = await readAttachment('bomb.bz2', bomb, { limits: { maxDecompressedBytes: 1024 * 1024 } });
    expect(attachment.facts).toEqual([{ kind: 'unscannable', detail: 'this bzip2 file was not fully read: it decompresses to more than 1 MB (a possible zip bomb)' }]);
  });

  it('marks a damaged gzip file unscannable', async () => {
    const damaged = gzipSync('Notes on Kwame Mensah').subarray(0, 20);
    const { attachment } = await readAttachment('notes.gz', damaged);
    expect(attachment.facts.map((fact) => fact.kind)).toEqual(['unscannable']);
  });
});
