import { Document, Packer, Paragraph, Table, TableCell, TableRow } from 'docx';
import { describe, expect, it } from 'vitest';
import { firstTableRows } from '../../../src/message/extract/docx.js';
import { factKinds, readAttachment } from '../support/attach.js';
import { docxOf, handmadeDocx } from '../support/documents.js';
import { zipOf } from '../support/zip.js';

describe('Word attachments', () => {
  it('reads the paragraphs of a .docx', async () => {
    const docx = await docxOf(['Meeting notes', 'Kwame Mensah has settled in well.']);
    const { attachment, textOf } = await readAttachment('notes.docx', docx);
    expect(textOf('notes.docx')).toBe('Meeting notes\n\nKwame Mensah has settled in well.');
    expect(attachment.detectedType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(attachment.facts).toEqual([]);
  });

  it('reads a .docm and notes its macros as executable', async () => {
    const { attachment, textOf } = await readAttachment('macro.docm', await handmadeDocx('Text beside macros', true));
    expect(textOf('macro.docm')).toBe('Text beside macros');
    expect(attachment.facts).toEqual([{ kind: 'executable', detail: 'the document contains macros (programs that run when it is opened)' }]);
  });

  it('finds no macros where there are none', async () => {
    const { attachment, textOf } = await readAttachment('plain.docx', await handmadeDocx('No macros here', false));
    expect(textOf('plain.docx')).toBe('No macros here');
    expect(attachment.facts).toEqual([]);
  });

  it('marks a .docx that is not a Word package as unscannable', async () => {
    const { attachment } = await readAttachment('broken.docx', await zipOf({ 'readme.txt': 'not a document' }));
    expect(factKinds(attachment)).toEqual(['unscannable']);
    expect(attachment.facts[0]?.detail).toMatch(/Word document could not be read/);
  });

  it('does not hand mammoth a document too large to read in time, and says so', async () => {
    const docx = await handmadeDocx('x'.repeat(21 * 1024 * 1024), false);
    const { attachment } = await readAttachment('huge.docx', docx);
    expect(attachment.facts).toEqual([{ kind: 'unscannable', detail: 'the Word document is too large to read (21 MB uncompressed)' }]);
  });

  it('counts a .docx that inflates past maxDecompressedBytes as a possible zip bomb before mammoth sees it', async () => {
    const docx = await docxOf(['x'.repeat(200_000)]);
    const { attachment, view } = await readAttachment('bomb.docx', docx, { limits: { maxDecompressedBytes: 50_000 } });
    expect(attachment.facts).toEqual([{ kind: 'unscannable', detail: 'this Word document was not fully read: it decompresses to more than 50000 bytes (a possible zip bomb)' }]);
    expect(view.problems.map((problem) => problem.kind)).toEqual(['too-large']);
  });

  it('gives the rows of the first table of two or more rows, cells apart, for pairing name columns', async () => {
    const row = (cells: string[][]) => new TableRow({ children: cells.map((paragraphs) => new TableCell({ children: paragraphs.map((text) => new Paragraph(text)) })) });
    const document = new Document({
      sections: [
        {
          children: [
            new Paragraph('Year 4 groups'),
            new Table({ rows: [row([['Logo']])] }),
            new Table({ rows: [row([['Surname'], ['Group'], ['Forename']]), row([['Fairclough'], ['Red', 'team'], ['Thomas & co']]), row([[''], [''], ['']])] }),
          ],
        },
      ],
    });
    const { attachment } = await readAttachment('groups.docx', await Packer.toBuffer(document));
    expect(attachment.tableRows).toEqual([
      ['Surname', 'Group', 'Forename'],
      ['Fairclough', 'Red team', 'Thomas & co'],
    ]);
  });

  it('gives no rows for a document without a table', () => {
    expect(firstTableRows('<w:document><w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>')).toEqual([]);
  });
});
