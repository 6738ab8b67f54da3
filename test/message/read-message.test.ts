import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MESSAGE_LIMITS, MessageReadError, readMessage } from '../../src/message/read-message.js';
import { attachmentText } from './support/attach.js';
import { compose, rawMessage } from './support/compose.js';
import { pdfOf } from './support/documents.js';

describe('readMessage: headers', () => {
  it('decodes an RFC 2047 subject and lower-cases every address, group members included', async () => {
    const view = await readMessage(
      rawMessage(
        'From: "Ada Teacher" <Ada.Teacher@Example-School.SCH.UK>',
        'To: Parent One <PARENT.ONE@example.net>, Year Six Parents: p2@Example.net, p3@example.NET;',
        'Cc: office@example-school.sch.uk',
        'Bcc: Governor <Gov@Example.org>',
        'Subject: =?UTF-8?Q?Zo=C3=AB=E2=80=99s_report?= =?UTF-8?B?IMK3IHRlcm0gMg==?=',
        'Message-ID: <abc.123@example-school.sch.uk>',
        '',
        'Body',
      ),
    );
    expect(view.subject).toBe('Zoë’s report · term 2');
    expect(view.messageId).toBe('<abc.123@example-school.sch.uk>');
    expect(view.from).toEqual({ address: 'ada.teacher@example-school.sch.uk', displayName: 'Ada Teacher' });
    expect(view.to.map((address) => address.address)).toEqual(['parent.one@example.net', 'p2@example.net', 'p3@example.net']);
    expect(view.cc).toEqual([{ address: 'office@example-school.sch.uk', displayName: '' }]);
    expect(view.bcc).toEqual([{ address: 'gov@example.org', displayName: 'Governor' }]);
    expect(view.problems).toEqual([]);
  });

  it('leaves messageId and from undefined when the headers are missing', async () => {
    const view = await readMessage(rawMessage('Subject: no sender', '', 'text'));
    expect(view.messageId).toBeUndefined();
    expect(view.from).toBeUndefined();
    expect(view.to).toEqual([]);
  });
});

describe('readMessage: pieces', () => {
  it('emits the subject, then the plain and the HTML body as separate body pieces', async () => {
    const raw = await compose({
      subject: 'Trip [secure]',
      text: 'Plain: Kwame Mensah is coming.',
      html: '<p>HTML: <b>Kwame</b> <b>Mensah</b> is coming.</p><p><img src="cid:x" alt="Invented Alt Name"></p>',
    });
    const view = await readMessage(raw);
    expect(view.pieces).toEqual([
      { location: { part: 'subject' }, text: 'Trip [secure]' },
      { location: { part: 'body' }, text: 'Plain: Kwame Mensah is coming.' },
      { location: { part: 'body' }, text: 'HTML: Kwame Mensah is coming.' },
    ]);
  });

  it('always puts a subject piece first, even when the subject is empty', async () => {
    const view = await readMessage(rawMessage('From: a@example.net', '', 'only a body'));
    expect(view.pieces[0]).toEqual({ location: { part: 'subject' }, text: '' });
    expect(view.pieces[1]).toEqual({ location: { part: 'body' }, text: 'only a body' });
  });

  it('reads an HTML-only message into one body piece', async () => {
    const view = await readMessage(await compose({ subject: 's', html: '<div>Kwa<b>me</b>&nbsp;Mensah</div>' }));
    expect(view.pieces.filter((piece) => piece.location.part === 'body').map((piece) => piece.text)).toEqual(['Kwame Mensah']);
  });

  it('follows every attachment name with its text, in message order', async () => {
    const raw = await compose({
      subject: 's',
      text: 'body',
      attachments: [
        { filename: 'Kwame Mensah notes.txt', content: 'first file' },
        { filename: 'photo.png', content: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex') },
        { filename: 'second.txt', content: 'second file' },
      ],
    });
    const view = await readMessage(raw);
    expect(view.pieces.slice(2)).toEqual([
      { location: { part: 'attachment-name', name: 'Kwame Mensah notes.txt' }, text: 'Kwame Mensah notes.txt' },
      { location: { part: 'attachment', name: 'Kwame Mensah notes.txt' }, text: 'first file' },
      { location: { part: 'attachment-name', name: 'photo.png' }, text: 'photo.png' },
      { location: { part: 'attachment-name', name: 'second.txt' }, text: 'second.txt' },
      { location: { part: 'attachment', name: 'second.txt' }, text: 'second file' },
    ]);
    expect(view.attachments.map((attachment) => [attachment.name, attachment.detectedType, attachment.facts])).toEqual([
      ['Kwame Mensah notes.txt', 'text/plain', []],
      ['photo.png', 'image/png', []],
      ['second.txt', 'text/plain', []],
    ]);
  });

  it('names an attachment the sender did not name after its MIME part', async () => {
    const view = await readMessage(
      rawMessage(
        'Subject: s',
        'Content-Type: multipart/mixed; boundary=b',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'body',
        '--b',
        'Content-Type: application/octet-stream',
        'Content-Disposition: attachment',
        '',
        'loose words',
        '--b--',
      ),
    );
    expect(view.attachments.map((attachment) => attachment.name)).toEqual(['attachment-2']);
    expect(attachmentText(view.pieces, 'attachment-2')).toBe('loose words');
  });
});

describe('readMessage: attached messages', () => {
  it('reads a forwarded message: its subject and body are its text, its attachments are paths inside it', async () => {
    const inner = await compose({
      subject: 'Report for Kwame Mensah',
      text: 'Inner body text',
      attachments: [{ filename: 'report.pdf', content: await pdfOf([['Inner PDF text']]) }],
    });
    const outer = await compose({
      subject: 'FW: report',
      text: 'See below',
      attachments: [{ filename: 'forwarded.eml', content: inner, contentType: 'message/rfc822' }],
    });
    const view = await readMessage(outer);
    expect(view.attachments.map((attachment) => attachment.name)).toEqual(['forwarded.eml', 'forwarded.eml/report.pdf']);
    expect(view.pieces.filter((piece) => piece.location.part === 'attachment')).toEqual([
      { location: { part: 'attachment', name: 'forwarded.eml' }, text: 'Report for Kwame Mensah' },
      { location: { part: 'attachment', name: 'forwarded.eml' }, text: 'Inner body text' },
      { location: { part: 'attachment', name: 'forwarded.eml/report.pdf' }, text: 'Inner PDF text' },
    ]);
    expect(view.pieces.find((piece) => piece.location.part === 'attachment-name' && piece.location.name === 'forwarded.eml/report.pdf')?.text).toBe('report.pdf');
  });

  it('reads an .eml attachment declared as octet-stream by its name', async () => {
    const inner = rawMessage('Subject: Inner subject', '', 'Inner words');
    const raw = await compose({ subject: 's', attachments: [{ filename: 'old.eml', content: inner, contentType: 'application/octet-stream' }] });
    const view = await readMessage(raw);
    expect(attachmentText(view.pieces, 'old.eml')).toBe('Inner subject\n\nInner words');
  });

  it('reads a returned message whose multipart header lost its boundary without calling it too large', async () => {
    // A bounce returns the original; repairing its header makes it longer than the bytes attached.
    const inner = rawMessage('Subject: Original', 'Content-Type: multipart/mixed', '', '--part', 'Content-Type: text/plain', '', 'Original words', '--part--', '');
    const raw = await compose({ subject: 'Undeliverable', attachments: [{ filename: 'returned.eml', content: inner, contentType: 'message/rfc822' }] });
    const view = await readMessage(raw);
    expect(view.attachments.map((attachment) => [attachment.name, attachment.facts])).toEqual([['returned.eml', []]]);
    expect(attachmentText(view.pieces, 'returned.eml')).toContain('Original words');
  });

  it('reads a returned message whose parts are empty or hold only line ends without calling its boundary missing', async () => {
    for (const inner of [
      rawMessage('Subject: Original', 'Content-Type: multipart/alternative; boundary="b"', '', '--b', 'Content-Type: text/plain', '', '', '', '--b--', ''),
      rawMessage('Subject: Original', 'Content-Type: multipart/alternative; boundary="b"', '', '--b', 'Content-Type: text/plain', '', '--b--', ''),
    ]) {
      const raw = await compose({ subject: 'Undeliverable', attachments: [{ filename: 'returned.eml', content: inner, contentType: 'message/rfc822' }] });
      const view = await readMessage(raw);
      expect(view.attachments.map((attachment) => [attachment.name, attachment.facts])).toEqual([['returned.eml', []]]);
    }
  });

  it('stops opening attached messages past maxArchiveDepth', async () => {
    let message = await compose({ subject: 'Deepest', text: 'deepest text' });
    for (let level = 3; level >= 1; level -= 1) {
      message = await compose({ subject: `Level ${level}`, attachments: [{ filename: `level${level}.eml`, content: message, contentType: 'message/rfc822' }] });
    }
    const view = await readMessage(message, { maxArchiveDepth: 2 });
    expect(view.attachments.map((attachment) => [attachment.name, attachment.facts.map((fact) => fact.kind)])).toEqual([
      ['level1.eml', []],
      ['level1.eml/level2.eml', []],
      ['level1.eml/level2.eml/level3.eml', ['unscannable']],
    ]);
    expect(view.pieces.some((piece) => piece.text.includes('deepest text'))).toBe(false);
  });
});

describe('readMessage: sources, limits and errors', () => {
  it('reads a stream as it reads a buffer', async () => {
    const raw = await compose({ subject: 'Streamed', text: 'from a stream', attachments: [{ filename: 'a.txt', content: 'attached words' }] });
    const fromStream = await readMessage(Readable.from([raw.subarray(0, 100), raw.subarray(100)]));
    expect(fromStream).toEqual(await readMessage(raw));
  });

  it('exports the documented defaults', () => {
    expect(DEFAULT_MESSAGE_LIMITS).toMatchObject({
      maxMessageBytes: 50 * 1024 * 1024,
      maxParts: 500,
      maxArchiveDepth: 3,
      maxDecompressedBytes: 100 * 1024 * 1024,
      maxExtractMillis: 5000,
      maxAttachmentTextChars: 1_000_000,
    });
  });

  it('refuses unusable limits with a config error', async () => {
    const attempt = readMessage(rawMessage('Subject: s', '', 'x'), { maxParts: 0 });
    await expect(attempt).rejects.toBeInstanceOf(MessageReadError);
    await expect(attempt).rejects.toMatchObject({ code: 'invalid-limits', disposition: 'configuration' });
  });

  it('throws MessageReadError (tempfail) when the source stream fails', async () => {
    const source = new PassThrough();
    const reading = readMessage(source);
    source.write('Subject: cut off\r\n\r\npartial');
    source.destroy(new Error('connection reset'));
    await expect(reading).rejects.toMatchObject({ name: 'MessageReadError', code: 'source-failed', disposition: 'temporary' });
  });
});
