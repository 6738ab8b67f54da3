import { describe, expect, it } from 'vitest';
import { readAttachment } from '../support/attach.js';
import { compoundFileOf, docxOf, encryptOffice, wordDocumentStream, workbookStream } from '../support/documents.js';

describe('Office files in OLE containers', () => {
  it('marks an encrypted .docx as password-protected', async () => {
    const { attachment } = await readAttachment('letter.docx', encryptOffice(await docxOf(['Kwame Mensah'])));
    expect(attachment.facts).toEqual([{ kind: 'password-protected', detail: 'the Office document is encrypted with a password' }]);
  });

  it('reads fEncrypted in a Word 97-2003 document', async () => {
    const locked = await readAttachment('old.doc', compoundFileOf({ WordDocument: wordDocumentStream(true) }));
    expect(locked.attachment.facts).toEqual([{ kind: 'password-protected', detail: 'the Word 97-2003 document is encrypted with a password' }]);
    const open = await readAttachment('old.doc', compoundFileOf({ WordDocument: wordDocumentStream(false) }));
    expect(open.attachment.facts.map((fact) => fact.kind)).toEqual(['unscannable']);
  });

  it('reads a FILEPASS record in an Excel 97-2003 workbook', async () => {
    const locked = await readAttachment('old.xls', compoundFileOf({ Workbook: workbookStream(true) }));
    expect(locked.attachment.facts).toEqual([{ kind: 'password-protected', detail: 'the Excel workbook is encrypted with a password' }]);
    const open = await readAttachment('old.xls', compoundFileOf({ Workbook: workbookStream(false) }));
    expect(open.attachment.facts).toEqual([]);
  });

  it('notes macros in a Word 97-2003 document', async () => {
    const doc = compoundFileOf({ WordDocument: wordDocumentStream(false), 'Macros/VBA/dir': Buffer.from('vba') });
    const { attachment } = await readAttachment('macro.doc', doc);
    expect(attachment.facts.map((fact) => fact.kind)).toEqual(['unscannable', 'executable']);
  });

  it('says what a compound file that is not an Office document is', async () => {
    const { attachment } = await readAttachment('drawing.vsd', compoundFileOf({ VisioDocument: Buffer.from('x') }));
    expect(attachment.facts).toEqual([{ kind: 'unscannable', detail: 'a compound file (such as a Visio drawing) whose contents are not read' }]);
  });

  it('treats an .msi installer as a program', async () => {
    const { attachment } = await readAttachment('setup.msi', compoundFileOf({ Installer: Buffer.from('x') }));
    expect(attachment.facts).toEqual([{ kind: 'executable', detail: 'a program or script (.msi file)' }]);
  });
});
