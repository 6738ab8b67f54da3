import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readMessage } from '../../../src/message/read-message.js';
import { factKinds, readAttachment } from '../support/attach.js';
import { rawMessage } from '../support/compose.js';

describe('text and HTML attachments', () => {
  it('reads a text file in its declared charset', async () => {
    const { textOf } = await readAttachment('notes.txt', Buffer.from('Zo\xeb\u00a0Invented', 'latin1'), {
      contentType: 'text/plain; charset=iso-8859-1',
    });
    expect(textOf('notes.txt')).toBe('Zoë Invented');
  });

  it('reads UTF-16 by its byte order mark', async () => {
    const text = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Kwame Mensah', 'utf16le')]);
    const { textOf } = await readAttachment('notes.txt', text, { contentType: 'application/octet-stream' });
    expect(textOf('notes.txt')).toBe('Kwame Mensah');
  });

  it('reads any other text type, and text with no extension', async () => {
    const calendar = await readAttachment('trip.ics', 'BEGIN:VCALENDAR\nSUMMARY:Trip with Kwame Mensah\nEND:VCALENDAR');
    expect(calendar.textOf('trip.ics')).toContain('Trip with Kwame Mensah');
    const bare = await readAttachment('NOTES', 'plain words', { contentType: 'application/octet-stream' });
    expect(bare.textOf('NOTES')).toBe('plain words');
  });

  it('reads an HTML file as a browser shows it', async () => {
    const { textOf } = await readAttachment('page.html', '<html><body><p>Kwa<b>me</b>&nbsp;Mensah</p><a href="https://example.net/x">link</a></body></html>');
    expect(textOf('page.html')).toBe('Kwame Mensah\n\nlink');
  });

  it('marks a long HTML file as cut even though its text is shorter than the markup', async () => {
    const html = `<p>${'<b>word</b> '.repeat(100)}</p>`;
    const { attachment } = await readAttachment('page.html', html, { limits: { maxAttachmentTextChars: 200 } });
    expect(factKinds(attachment)).toEqual(['unscannable']);
  });

  it('marks unknown binary content as unscannable', async () => {
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256));
    const { attachment } = await readAttachment('data.bin', binary);
    expect(attachment.facts).toEqual([{ kind: 'unscannable', detail: 'its content is in a binary format the gateway does not recognise' }]);
  });

  it('marks a known but unread format as unscannable, naming it', async () => {
    const sevenZip = Buffer.concat([Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]), Buffer.alloc(64)]);
    const { attachment } = await readAttachment('data.7z', sevenZip);
    expect(attachment.facts).toEqual([{ kind: 'unscannable', detail: 'it is a 7-Zip archive, which the gateway cannot open; send the files themselves or a ZIP' }]);
    const sqlite = await readAttachment('marks.db', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(100)]));
    expect(sqlite.attachment.facts).toEqual([{ kind: 'unscannable', detail: 'its content (application/x-sqlite3) is a kind the gateway cannot read' }]);
  });

  it('records images and empty files with no fact', async () => {
    const png = await readAttachment('photo.png', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    expect(png.attachment.facts).toEqual([]);
    const empty = await readAttachment('empty.txt', Buffer.alloc(0));
    expect(empty.attachment.facts).toEqual([]);
  });

  it('notes programs and scripts without reading them', async () => {
    const { attachment, textOf } = await readAttachment('tool.ps1', 'Write-Host "Kwame Mensah"');
    expect(attachment.facts).toEqual([{ kind: 'executable', detail: 'a program or script (.ps1 file)' }]);
    expect(textOf('tool.ps1')).toBe('');
  });
});

describe('signed and encrypted mail', () => {
  it('records an S/MIME signature with no fact: it signs parts that are read themselves', async () => {
    const view = await readMessage(
      rawMessage(
        'Subject: Signed',
        'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary=s',
        '',
        '--s',
        'Content-Type: text/plain',
        '',
        'Signed words',
        '--s',
        'Content-Type: application/pkcs7-signature; name=smime.p7s',
        'Content-Disposition: attachment; filename=smime.p7s',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from([0x30, 0x82, 0x06, 0x00, 0x06, 0x09, 0x2a, 0x86]).toString('base64'),
        '--s--',
      ),
    );
    expect(view.pieces[1]).toEqual({ location: { part: 'body' }, text: 'Signed words' });
    expect(view.attachments).toEqual([expect.objectContaining({ name: 'smime.p7s', facts: [] })]);
  });

  it('marks S/MIME and PGP encrypted content as password-protected', async () => {
    const smime = await readAttachment('smime.p7m', await readFile('fixtures/formats/encrypted-note.p7m'), {
      contentType: 'application/pkcs7-mime; smime-type=enveloped-data',
    });
    expect(smime.attachment.facts).toEqual([{ kind: 'password-protected', detail: 'the content is encrypted with S/MIME' }]);
    const damaged = await readAttachment('smime.p7m', Buffer.from([0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48]), { contentType: 'application/pkcs7-mime' });
    expect(damaged.attachment.facts.map((fact) => fact.kind)).toEqual(['unscannable']);
    const pgp = await readAttachment('encrypted.asc', '-----BEGIN PGP MESSAGE-----\n\nhQEMA5x\n-----END PGP MESSAGE-----\n', {
      contentType: 'application/octet-stream',
    });
    expect(pgp.attachment.facts).toEqual([{ kind: 'password-protected', detail: 'the content is encrypted with PGP' }]);
  });
});
