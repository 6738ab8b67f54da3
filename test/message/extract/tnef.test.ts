import { describe, expect, it } from 'vitest';
import { attachmentText, factKinds, readAttachment } from '../support/attach.js';
import { docxOf } from '../support/documents.js';
import { tnefOf } from '../support/tnef.js';

describe('winmail.dat (TNEF) attachments', () => {
  it('reads the body and scans every file inside, by its long name', async () => {
    const winmail = tnefOf({
      body: 'Dear parent, Kwame Mensah',
      unicodeBody: 'Zoë and Kwame Mensah',
      attachments: [
        { title: 'REPORT~1.DOC', longName: 'report for parents.docx', data: await docxOf(['Report on Kwame Mensah']) },
        { title: 'notes.txt', data: Buffer.from('Notes') },
      ],
    });
    const { view, attachment } = await readAttachment('winmail.dat', winmail, { contentType: 'application/ms-tnef' });
    expect(attachment.facts).toEqual([]);
    expect(view.attachments.map((file) => file.name)).toEqual(['winmail.dat', 'winmail.dat/report for parents.docx', 'winmail.dat/notes.txt']);
    expect(attachmentText(view.pieces, 'winmail.dat')).toBe('Dear parent, Kwame Mensah\n\nZoë and Kwame Mensah');
    expect(attachmentText(view.pieces, 'winmail.dat/report for parents.docx')).toBe('Report on Kwame Mensah');
  });

  it('keeps what came before a break in a truncated stream, and says it was cut', async () => {
    const winmail = tnefOf({ body: 'Kwame Mensah', attachments: [{ title: 'notes.txt', data: Buffer.from('Notes on Kwame Mensah') }] });
    const { view, attachment } = await readAttachment('winmail.dat', winmail.subarray(0, winmail.length - 8));
    expect(factKinds(attachment)).toEqual(['unscannable']);
    expect(attachmentText(view.pieces, 'winmail.dat')).toBe('Kwame Mensah');
  });
});
