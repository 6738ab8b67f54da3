import { describe, expect, it } from 'vitest';
import { attachmentText, factKinds, readAttachment } from '../support/attach.js';
import { docxOf, pdfOf } from '../support/documents.js';
import { encryptedZipOf, zipOf } from '../support/zip.js';

describe('ZIP attachments', () => {
  it('scans every member as a file of its own, named by its path inside the archive', async () => {
    const inner = await zipOf({ 'deep.txt': 'Deep words' });
    const zip = await zipOf({
      'folder/': '',
      'folder/notes.txt': 'Notes on Kwame Mensah',
      'report.pdf': await pdfOf([['PDF inside a ZIP']]),
      'letter.docx': await docxOf(['Letter inside a ZIP']),
      'inner.zip': inner,
    });
    const { view, attachment } = await readAttachment('outer.zip', zip);
    expect(attachment.facts).toEqual([]);
    expect(view.attachments.map((member) => member.name)).toEqual([
      'outer.zip',
      'outer.zip/folder/notes.txt',
      'outer.zip/report.pdf',
      'outer.zip/letter.docx',
      'outer.zip/inner.zip',
      'outer.zip/inner.zip/deep.txt',
    ]);
    expect(attachmentText(view.pieces, 'outer.zip/folder/notes.txt')).toBe('Notes on Kwame Mensah');
    expect(attachmentText(view.pieces, 'outer.zip/report.pdf')).toBe('PDF inside a ZIP');
    expect(attachmentText(view.pieces, 'outer.zip/letter.docx')).toBe('Letter inside a ZIP');
    expect(attachmentText(view.pieces, 'outer.zip/inner.zip/deep.txt')).toBe('Deep words');
    const names = view.pieces.filter((piece) => piece.location.part === 'attachment-name').map((piece) => piece.text);
    expect(names).toEqual(['outer.zip', 'folder/notes.txt', 'report.pdf', 'letter.docx', 'inner.zip', 'deep.txt']);
  });

  it('does not open archives nested deeper than maxArchiveDepth, and says so', async () => {
    const level3 = await zipOf({ 'bottom.txt': 'bottom words' });
    const level2 = await zipOf({ 'level3.zip': level3 });
    const level1 = await zipOf({ 'level2.zip': level2 });
    const { view } = await readAttachment('level1.zip', level1, { limits: { maxArchiveDepth: 2 } });
    expect(view.attachments.map((member) => [member.name, factKinds(member)])).toEqual([
      ['level1.zip', []],
      ['level1.zip/level2.zip', []],
      ['level1.zip/level2.zip/level3.zip', ['unscannable']],
    ]);
    expect(view.attachments[2]?.facts[0]?.detail).toBe('it is nested more than 2 archives or messages deep and was not opened');
  });

  it('marks an encrypted archive and its encrypted members as password-protected', async () => {
    const { view, attachment } = await readAttachment('secret.zip', encryptedZipOf('pupils.xlsx', 100));
    expect(attachment.facts).toEqual([{ kind: 'password-protected', detail: '1 of 1 files in the archive are encrypted' }]);
    expect(view.attachments[1]).toEqual({
      name: 'secret.zip/pupils.xlsx',
      declaredType: 'application/octet-stream',
      detectedType: 'application/octet-stream',
      sizeBytes: 100,
      facts: [{ kind: 'password-protected', detail: 'the file is encrypted inside the archive' }],
      tableRows: [],
    });
  });

  it('stops a zip bomb at maxDecompressedBytes, flags it, and reports the limit', async () => {
    const bomb = await zipOf({ 'zeros.txt': Buffer.alloc(120 * 1024 * 1024) });
    expect(bomb.length).toBeLessThan(200 * 1024);
    const started = performance.now();
    const { view, attachment } = await readAttachment('bomb.zip', bomb);
    expect(performance.now() - started).toBeLessThan(5000);
    const limitReached = 'it decompresses to more than 100 MB (a possible zip bomb)';
    expect(attachment.facts).toEqual([{ kind: 'unscannable', detail: `this ZIP archive was not fully read: ${limitReached}` }]);
    expect(view.attachments[1]).toMatchObject({ name: 'bomb.zip/zeros.txt', facts: [{ kind: 'unscannable', detail: `not read: ${limitReached}` }] });
    expect(view.problems).toEqual([{ kind: 'too-large', detail: 'archives in the message decompress to more than 100 MB' }]);
  });

  it('shares the decompression limit across archives, so many small bombs add up', async () => {
    const part = await zipOf({ 'zeros.bin': Buffer.alloc(40_000) });
    const zip = await zipOf({ 'a.zip': part, 'b.zip': part, 'c.zip': part });
    const { view } = await readAttachment('many.zip', zip, { limits: { maxDecompressedBytes: 100_000 } });
    expect(view.problems.map((problem) => problem.kind)).toEqual(['too-large']);
  });

  it('stops reading members past maxParts and reports it', async () => {
    const members = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`file${index}.txt`, `text ${index}`]));
    const { view, attachment } = await readAttachment('many.zip', await zipOf(members), { limits: { maxParts: 5 } });
    expect(view.attachments).toHaveLength(5);
    expect(factKinds(attachment)).toEqual(['unscannable']);
    expect(view.problems.map((problem) => problem.kind)).toEqual(['too-many-parts']);
  });

  it('leaves out the AppleDouble metadata macOS adds, but not a real file hidden beside it', async () => {
    const appleDouble = Buffer.concat([Buffer.from([0x00, 0x05, 0x16, 0x07]), Buffer.alloc(60)]);
    const zip = await zipOf({
      'notes.txt': 'real notes',
      '__MACOSX/._notes.txt': appleDouble,
      '__MACOSX/._hidden.txt': 'Not AppleDouble: Kwame Mensah',
    });
    const { view } = await readAttachment('mac.zip', zip);
    expect(view.attachments.map((member) => member.name)).toEqual(['mac.zip', 'mac.zip/notes.txt', 'mac.zip/__MACOSX/._hidden.txt']);
  });

  it('marks a damaged archive as unscannable', async () => {
    const zip = await zipOf({ 'a.txt': 'words' });
    const { attachment } = await readAttachment('broken.zip', zip.subarray(0, zip.length - 30));
    expect(factKinds(attachment)).toEqual(['unscannable']);
  });

  it('notes a program inside an archive', async () => {
    const { view } = await readAttachment('tools.zip', await zipOf({ 'setup.exe': Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100)]) }));
    expect(view.attachments[1]).toMatchObject({ name: 'tools.zip/setup.exe', facts: [{ kind: 'executable' }] });
  });
});
