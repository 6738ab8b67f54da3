import { describe, expect, it } from 'vitest';
import { attachmentText, factKinds, readAttachment } from '../support/attach.js';
import { compoundFileOf, docxOf } from '../support/documents.js';
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

  it('reads an attached message, a winmail.dat of its own, and the files inside it, within the depth limit', async () => {
    const inner = tnefOf({ body: 'Forwarded: Kwame Mensah', attachments: [{ title: 'notes.txt', data: Buffer.from('Notes on Kwame Mensah') }] });
    const winmail = tnefOf({ body: 'See the message below', attachedMessages: [{ title: 'Untitled Attachment', message: inner }] });
    const { view } = await readAttachment('winmail.dat', winmail, { contentType: 'application/ms-tnef' });
    expect(view.attachments.map((file) => [file.name, file.facts])).toEqual([
      ['winmail.dat', []],
      ['winmail.dat/Untitled Attachment', []],
      ['winmail.dat/Untitled Attachment/notes.txt', []],
    ]);
    expect(attachmentText(view.pieces, 'winmail.dat/Untitled Attachment')).toBe('Forwarded: Kwame Mensah');
    const shallow = await readAttachment('winmail.dat', winmail, { limits: { maxArchiveDepth: 1 } });
    expect(factKinds(shallow.view.attachments[1]!)).toEqual(['unscannable']);
    expect(shallow.view.pieces.some((piece) => piece.text.includes('Notes on Kwame Mensah'))).toBe(false);
  });

  it('opens an OLE object in it: the packaged file, or the picture (MS-OLEDS Ole10Native, CONTENTS)', async () => {
    const file = Buffer.from('Kwame Mensah: packaged notes');
    const packaged = Buffer.concat([
      Buffer.from([2, 0]),
      Buffer.from('notes.txt\0C:\\notes.txt\0', 'latin1'),
      Buffer.from([0, 3, 0, 0]),
      u32(12),
      Buffer.from('C:\\tmp\\n.txt'),
      u32(file.length),
      file,
    ]);
    const packager = compoundFileOf({ '\u0001Ole': Buffer.alloc(20), '\u0001Ole10Native': Buffer.concat([u32(packaged.length), packaged]) });
    const picture = compoundFileOf({ '\u0001Ole': Buffer.alloc(20), CONTENTS: Buffer.from('BM not a real bitmap'), '\u0003MailStream': Buffer.alloc(12) });
    const winmail = tnefOf({
      attachments: [
        { title: 'Untitled Attachment', data: packager },
        { title: 'Untitled Attachment', data: picture },
      ],
    });
    const { view } = await readAttachment('winmail.dat', winmail);
    expect(view.attachments.map((entry) => entry.name)).toEqual([
      'winmail.dat',
      'winmail.dat/Untitled Attachment',
      'winmail.dat/Untitled Attachment/notes.txt',
      'winmail.dat/Untitled Attachment',
      'winmail.dat/Untitled Attachment/embedded picture',
    ]);
    expect(attachmentText(view.pieces, 'winmail.dat/Untitled Attachment/notes.txt')).toBe('Kwame Mensah: packaged notes');
    expect(view.attachments.slice(0, 2).flatMap((entry) => entry.facts)).toEqual([]);
  });
});

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
}
