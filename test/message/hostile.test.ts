import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readMessage } from '../../src/message/read-message.js';
import type { MessageView } from '../../src/message/message-view.js';
import { compose, rawMessage } from './support/compose.js';
import { pdfOf } from './support/documents.js';
import { zipOf } from './support/zip.js';

/** Every hostile input must come back within this, with problems or facts rather than an exception. */
const BOUND_MS = 10_000;

async function readBounded(source: Buffer | NodeJS.ReadableStream, limits = {}): Promise<MessageView> {
  const started = performance.now();
  const view = await readMessage(source, limits);
  expect(performance.now() - started).toBeLessThan(BOUND_MS);
  return view;
}

const problemKinds = (view: MessageView) => view.problems.map((problem) => problem.kind);

describe('hostile and broken messages', () => {
  it('records an attachment cut short by a truncated message as unscannable', async () => {
    const raw = await compose({ subject: 'Cut', text: 'Body before', attachments: [{ filename: 'report.pdf', content: await pdfOf([['Some text']]) }] });
    const view = await readBounded(raw.subarray(0, Math.floor(raw.length * 0.7)));
    expect(view.pieces[1]).toEqual({ location: { part: 'body' }, text: 'Body before' });
    expect(view.attachments.map((attachment) => [attachment.name, attachment.facts.map((fact) => fact.kind)])).toEqual([['report.pdf', ['unscannable']]]);
  });

  it('reads a multipart message whose declared boundary never appears by the boundary its lines use, as mail clients do', async () => {
    const view = await readBounded(
      rawMessage('Subject: s', 'Content-Type: multipart/mixed; boundary="never-used"', '', '--other', 'Content-Type: text/plain', '', 'Kwame Mensah', '--other--'),
    );
    expect(view.pieces.map((piece) => piece.text)).toEqual(['s', 'Kwame Mensah']);
    expect(view.problems).toEqual([]);
  });

  it('reads a multipart message with no boundary parameter by the boundary its lines use', async () => {
    const view = await readBounded(
      rawMessage(
        'Subject: s',
        'Content-Type: multipart/mixed',
        '',
        '--b',
        '',
        'text',
        '--b',
        'Content-Type: text/plain; name="a.txt"',
        'Content-Disposition: attachment',
        '',
        'Kwame Mensah',
        '--b--',
      ),
    );
    expect(view.pieces.map((piece) => piece.text)).toEqual(['s', 'text', 'a.txt', 'Kwame Mensah']);
    expect(view.problems).toEqual([]);
  });

  it('reads a part whose boundary parameter is on an unfolded line of its own, as mail clients do', async () => {
    const view = await readBounded(
      rawMessage(
        'Subject: Undeliverable',
        'Content-Type: multipart/mixed; boundary="outer"',
        '',
        '--outer',
        'Content-Type: multipart/alternative;',
        'boundary="inner"',
        '',
        '--inner',
        'Content-Type: text/plain;',
        'charset=us-ascii',
        '',
        'Delivery to Nadia Fairbairn failed',
        '--inner--',
        '',
        '--outer--',
      ),
    );
    expect(view.pieces.map((piece) => piece.text)).toEqual(['Undeliverable', 'Delivery to Nadia Fairbairn failed']);
    expect(view.problems).toEqual([]);
  });

  it('a returned message cut inside its only part, which is empty, has nothing missing', async () => {
    const returned = ['Subject: Hello', 'Content-Type: multipart/alternative;', '\tboundary="cut"', '', '--cut', 'Content-Type: text/plain; charset=utf-8', ''];
    const view = await readBounded(
      rawMessage(
        'Subject: Delivery failure',
        'Content-Type: multipart/report; boundary="dsn"',
        '',
        '--dsn',
        'Content-Type: text/plain',
        '',
        'Delivery failed.',
        '',
        '--dsn',
        'Content-Type: message/rfc822',
        '',
        ...returned,
        '--dsn--',
      ),
    );
    expect(view.problems).toEqual([]);
    expect(view.attachments.flatMap((attachment) => attachment.facts)).toEqual([]);
  });

  it('reads a multipart message with no delimiter lines at all as plain text', async () => {
    const view = await readBounded(rawMessage('Subject: s', 'Content-Type: multipart/mixed; boundary=""', '', 'Kwame Mensah visited'));
    expect(view.pieces.map((piece) => piece.text)).toEqual(['s', 'Kwame Mensah visited']);
    expect(view.problems).toEqual([]);
  });

  it('stops thousands of nested multiparts at maxParts', async () => {
    const depth = 5000;
    const lines = ['Subject: deep', 'Content-Type: multipart/mixed; boundary=b0', ''];
    for (let level = 0; level < depth; level += 1) {
      lines.push(`--b${level}`, `Content-Type: multipart/mixed; boundary=b${level + 1}`, '');
    }
    lines.push(`--b${depth}`, 'Content-Type: text/plain', '', 'deep text');
    for (let level = depth; level >= 0; level -= 1) {
      lines.push(`--b${level}--`);
    }
    const view = await readBounded(rawMessage(...lines));
    expect(view.subject).toBe('deep');
    expect(view.problems).toEqual([{ kind: 'too-many-parts', detail: 'the message has more than 500 MIME parts; the parts after them were not read' }]);
  });

  it('stops a message with too many attachments at maxParts', async () => {
    const attachments = Array.from({ length: 30 }, (_, index) => ({ filename: `f${index}.txt`, content: `file ${index}` }));
    const view = await readBounded(await compose({ subject: 'many', attachments }), { maxParts: 10 });
    expect(problemKinds(view)).toEqual(['too-many-parts']);
    expect(view.attachments.length).toBeLessThan(10);
  });

  it('reads a body in an unknown charset as UTF-8 rather than failing', async () => {
    const view = await readBounded(rawMessage('Subject: =?x-unknown?Q?Kwame_Mensah?=', 'Content-Type: text/plain; charset=x-unknown', '', 'Kwame Mensah visited'));
    expect(view.pieces.map((piece) => piece.text)).toEqual(['Kwame Mensah', 'Kwame Mensah visited']);
    expect(view.problems).toEqual([]);
  });

  it('reports an oversized header block as malformed', async () => {
    const view = await readBounded(rawMessage('Subject: s', `X-Padding: ${'a'.repeat(2 * 1024 * 1024)}`, '', 'body'));
    expect(problemKinds(view)).toEqual(['malformed']);
  });

  it('reads a 50 MB single-line body up to the limits and says the rest was not checked', async () => {
    const raw = Buffer.concat([Buffer.from('Subject: long line\r\n\r\n'), Buffer.alloc(50 * 1024 * 1024, 'a')]);
    const view = await readBounded(raw);
    expect(view.pieces[1]?.text).toHaveLength(2_000_000);
    expect(problemKinds(view).sort()).toEqual(['too-large', 'too-large']);
    expect(view.problems.map((problem) => problem.detail).sort()).toEqual([
      'a body is longer than 2000000 characters; only its start was checked',
      'the message is larger than 50 MB; only its first 50 MB were checked',
    ]);
  });

  it('reads only maxMessageBytes of a message and says so', async () => {
    const raw = await compose({ subject: 'Big', text: `start ${'x'.repeat(5000)} end-marker` });
    const view = await readBounded(raw, { maxMessageBytes: 2000 });
    expect(view.subject).toBe('Big');
    expect(problemKinds(view)).toEqual(['too-large']);
    expect(view.pieces.some((piece) => piece.text.includes('end-marker'))).toBe(false);
  });

  it('returns at maxMessageBytes without waiting for an endless stream to end', async () => {
    const source = new PassThrough();
    source.write('Subject: endless\r\n\r\n');
    const endless = setInterval(() => source.write('z'.repeat(1024)), 1);
    try {
      const view = await readBounded(source, { maxMessageBytes: 50_000 });
      expect(view.subject).toBe('endless');
      expect(problemKinds(view)).toEqual(['too-large']);
    } finally {
      clearInterval(endless);
      source.destroy();
    }
  });

  it('returns what it read with a timeout problem when the sender stalls mid-attachment', async () => {
    const raw = await compose({ subject: 'Stalls', text: 'Body first', attachments: [{ filename: 'big.txt', content: 'y'.repeat(200_000) }] });
    const source = new PassThrough();
    source.write(raw.subarray(0, raw.length - 1000));
    const view = await readBounded(source, { maxMessageMillis: 300 });
    expect(view.subject).toBe('Stalls');
    expect(problemKinds(view)).toEqual(['timeout']);
    expect(view.attachments).toEqual([expect.objectContaining({ name: 'big.txt', facts: [{ kind: 'unscannable', detail: 'the message broke off inside this attachment' }] })]);
    source.destroy();
  });

  it('stops reading an attachment when the message runs out of time, and says which', async () => {
    const pdf = await pdfOf(Array.from({ length: 400 }, (_, page) => [`Page ${page}`]));
    const raw = await compose({ subject: 'Slow', text: 'Body', attachments: [{ filename: 'long.pdf', content: pdf }] });
    const view = await readBounded(raw, { maxMessageMillis: 150, maxExtractMillis: 60_000 });
    expect(view.problems).toEqual([{ kind: 'timeout', detail: 'the message took too long to read; only the part read in time was checked' }]);
    expect(view.attachments).toEqual([
      expect.objectContaining({ name: 'long.pdf', facts: [{ kind: 'unscannable', detail: "the message's time ran out before this PDF was read" }] }),
    ]);
  });

  it('still records attachments past maxParts once archive members have used the parts up', async () => {
    const zip = await zipOf(Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`member${index}.txt`, `member ${index}`])));
    const later = Array.from({ length: 4 }, (_, index) => ({ filename: `later${index}.txt`, content: `later ${index}` }));
    const view = await readBounded(await compose({ subject: 's', attachments: [{ filename: 'bundle.zip', content: zip }, ...later] }), {
      maxParts: 10,
    });
    expect(view.attachments.map((attachment) => [attachment.name, attachment.facts.map((fact) => fact.kind)]).slice(-4)).toEqual([
      ['later0.txt', []],
      ['later1.txt', ['unscannable']],
      ['later2.txt', ['unscannable']],
      ['later3.txt', ['unscannable']],
    ]);
    expect(view.problems).toEqual([{ kind: 'too-many-parts', detail: 'the message has more than 10 attachments; the rest were not read' }]);
  });

  it('survives binary garbage', async () => {
    const garbage = Buffer.from(Array.from({ length: 100_000 }, (_, index) => (index * 2654435761) % 251));
    const view = await readBounded(garbage);
    expect(view.pieces[0]?.location).toEqual({ part: 'subject' });
  });
  it('reads a part whose Content-Type has an empty type as an unnamed binary, and the rest of the message', async () => {
    const view = await readBounded(
      rawMessage(
        'Subject: s',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'Body text',
        '--b',
        'Content-Type: ; name="x.jpg"',
        'Content-Transfer-Encoding: base64',
        '',
        'AAAA',
        '--b',
        'Content-Type: text/plain; name="after.txt"',
        'Content-Disposition: attachment',
        '',
        'After text',
        '--b--',
      ),
    );
    expect(view.pieces.map((piece) => piece.text)).toContain('Body text');
    expect(view.attachments.map((attachment) => [attachment.name, attachment.declaredType])).toEqual([
      ['x.jpg', 'application/octet-stream'],
      ['after.txt', 'text/plain'],
    ]);
    expect(view.pieces).toContainEqual({ location: { part: 'attachment', name: 'after.txt' }, text: 'After text' });
  });

  it('reads what arrived of an attachment whose base64 stops mid-way', async () => {
    const encoded = Buffer.from('Zephyrine Quillfeather is in Year 6 and her report follows.').toString('base64');
    const view = await readBounded(
      rawMessage(
        'Subject: s',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; name="note.txt"',
        'Content-Disposition: attachment',
        'Content-Transfer-Encoding: base64',
        '',
        encoded.slice(0, 33),
        '--b--',
      ),
    );
    expect(view.pieces.find((piece) => piece.location.part === 'attachment')?.text).toMatch(/^Zephyrine Quillfeather/);
  });

  it('stops a message attached inside itself fifty times deep at maxArchiveDepth', async () => {
    let inner = rawMessage('Subject: innermost', '', 'Zephyrine Quillfeather');
    for (let level = 0; level < 50; level += 1) {
      inner = Buffer.concat([
        rawMessage(`Subject: level ${level}`, `Content-Type: multipart/mixed; boundary="n${level}"`, '', `--n${level}`, 'Content-Type: message/rfc822', '', ''),
        inner,
        Buffer.from(`\r\n--n${level}--\r\n`),
      ]);
    }
    const view = await readBounded(inner);
    expect(view.attachments).toHaveLength(4);
    expect(view.attachments.at(-1)?.facts).toEqual([{ kind: 'unscannable', detail: 'it is nested more than 3 archives or messages deep and was not opened' }]);
  });
});
