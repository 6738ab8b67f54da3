import { describe, expect, it } from 'vitest';
import { factKinds, readAttachment } from '../support/attach.js';
import { passwordPdf, pdfOf } from '../support/documents.js';

describe('PDF attachments', () => {
  it('reads the text of every page, a line per line', async () => {
    const pdf = await pdfOf([['Report on Kwame Mensah', 'Year 6'], ['Second page']]);
    const { attachment, textOf } = await readAttachment('report.pdf', pdf);
    expect(textOf('report.pdf')).toBe('Report on Kwame Mensah\nYear 6\nSecond page');
    expect(attachment.detectedType).toBe('application/pdf');
    expect(attachment.facts).toEqual([]);
  });

  it('reads a PDF by its content whatever it is called', async () => {
    const { textOf } = await readAttachment('scan0001.dat', await pdfOf([['Hidden in a .dat file']]), {
      contentType: 'application/octet-stream',
    });
    expect(textOf('scan0001.dat')).toBe('Hidden in a .dat file');
  });

  it('marks a PDF that needs a password as password-protected, and nothing else', async () => {
    const { attachment, textOf } = await readAttachment('locked.pdf', await passwordPdf());
    expect(attachment.facts).toEqual([{ kind: 'password-protected', detail: 'the PDF needs a password to open' }]);
    expect(textOf('locked.pdf')).toBe('');
  });

  it('marks a damaged PDF as unscannable', async () => {
    const damaged = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x41)]);
    const { attachment } = await readAttachment('damaged.pdf', damaged);
    expect(factKinds(attachment)).toEqual(['unscannable']);
    expect(attachment.facts[0]?.detail).toMatch(/PDF could not be read/);
  });

  it('stops at maxAttachmentTextChars and says the rest was not checked', async () => {
    const pdf = await pdfOf(Array.from({ length: 5 }, (_, page) => [`Page ${page} ${'x'.repeat(60)}`]));
    const { attachment, textOf } = await readAttachment('long.pdf', pdf, { limits: { maxAttachmentTextChars: 100 } });
    expect(textOf('long.pdf')).toHaveLength(100);
    expect(attachment.facts).toEqual([{ kind: 'unscannable', detail: 'only the first 100 characters of its text were checked' }]);
  });

  it('gives up on a PDF that takes longer than maxExtractMillis, and says so', async () => {
    const pdf = await pdfOf(Array.from({ length: 200 }, (_, page) => [`Page ${page}`]));
    const started = performance.now();
    const { attachment, view } = await readAttachment('slow.pdf', pdf, { limits: { maxExtractMillis: 1 } });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(attachment.facts).toEqual([{ kind: 'unscannable', detail: 'reading this PDF took longer than 1 ms' }]);
    expect(view.problems).toEqual([]);
  });
});
