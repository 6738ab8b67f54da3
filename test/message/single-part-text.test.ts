import { readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Headers, HeaderValue } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MESSAGE_LIMITS, readMessage } from '../../src/message/read-message.js';
import { readSinglePartText } from '../../src/message/mime-reader.js';
import { singlePartText, splitSinglePartCandidate } from '../../src/message/single-part-text.js';
import { staffEmail } from '../../bench/staff-email.js';

/**
 * The direct reading of a single plain-text part (`single-part-text.ts`) must give exactly what
 * mailparser gives. A message handed over as a stream always goes to mailparser whole, so each
 * message is read both ways and the two views compared.
 */
async function bothWays(message: Buffer): Promise<{ direct: unknown; mailparser: unknown }> {
  return { direct: await readMessage(message), mailparser: await readMessage(Readable.from([message])) };
}

/** Whether the direct reading takes the message. */
async function takenDirectly(message: Buffer): Promise<boolean> {
  return (
    (await readSinglePartText(message, { maxBytes: DEFAULT_MESSAGE_LIMITS.maxMessageBytes, maxParts: DEFAULT_MESSAGE_LIMITS.maxParts, signal: new AbortController().signal })) !==
    undefined
  );
}

function message(fields: string, body: Buffer | string, lineEnd = '\r\n'): Buffer {
  const head = `From: Amara Quill <amara.quill@school.example.sch.uk>${lineEnd}To: parent@example.org${lineEnd}Subject: Trip letter${lineEnd}${fields}${lineEnd}`;
  return Buffer.concat([Buffer.from(head, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

const WINDOWS_1252_BODY = Buffer.from([...Buffer.from('Zo', 'latin1'), 0xeb, ...Buffer.from(' Br', 'latin1'), 0xf6, 0x20, 0x96, 0x20, 0x93, 0x6f, 0x6b, 0x94, 0x0d, 0x0a]);

const CASES: Record<string, Buffer> = {
  'UTF-8, quoted-printable with soft breaks, escapes and trailing spaces': message(
    'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n',
    'Dear Mr Fenwick, =\r\nthe trip =E2=80=93 Tuesday.   \r\nZo=C3=AB brings her inhaler.\t\r\n=3D sign; bad =ZZ escape=\r\n',
  ),
  'UTF-8, 8bit, LF line ends': message('Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: 8bit\n', 'Zoë Brontë – Year 6\nsecond line\n', '\n'),
  'no Content-Type, Windows-1252 bytes': message('', WINDOWS_1252_BODY),
  'us-ascii declared with 8-bit bytes': message('Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n', WINDOWS_1252_BODY),
  'us-ascii, quoted-printable Windows-1252': message('Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: quoted-printable\r\n', 'Zo=EB Br=F6 =96 done\r\n'),
  'an empty body': message('Content-Type: text/plain; charset=utf-8\r\n', ''),
  'a body of line breaks only': message('Content-Type: text/plain\r\n', '\r\n\r\n\r\n'),
  'no line break at the end': message('MIME-Version: 1.0\r\n', 'Kit list attached below'),
  'bare CRs and a lone surrogate-like byte run': message('Content-Type: text/plain; charset=utf-8\r\n', Buffer.from([0x61, 0x0d, 0x62, 0x0d, 0x0d, 0x0a, 0xed, 0xa0, 0x80, 0x63])),
  'an encoded-word subject and a group address': Buffer.from(
    'Subject: =?utf-8?q?Zo=C3=AB=27s_trip?=\r\nTo: Parents: a@example.org, b@example.org;\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n',
    'latin1',
  ),
  'format=flowed (left to mailparser)': message('Content-Type: text/plain; charset=utf-8; format=flowed\r\n', 'a soft \r\nbreak\r\n'),
  'base64 (left to mailparser)': message('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n', `${Buffer.from('Zoë Brontë').toString('base64')}\r\n`),
  'a text attachment (left to mailparser)': message(
    'Content-Type: text/plain; name="notes.txt"\r\nContent-Disposition: attachment; filename="notes.txt"\r\n',
    'Amara Quill, EHCP\r\n',
  ),
  'a named text part without disposition (left to mailparser)': message('Content-Type: text/plain; name="notes.txt"\r\n', 'Amara Quill, EHCP\r\n'),
  'two Content-Type fields (left to mailparser)': message('Content-Type: text/plain\r\nContent-Type: text/html\r\n', '<p>Hello</p>\r\n'),
  'ISO-8859-1 (left to mailparser)': message('Content-Type: text/plain; charset=iso-8859-1\r\n', Buffer.from('Zo\xeb\r\n', 'latin1')),
  'HTML (left to mailparser)': message('Content-Type: text/html; charset=utf-8\r\n', '<p>Zoë</p>\r\n'),
  'a multipart with a missing boundary (left to mailparser)': message('Content-Type: multipart/mixed\r\n', '--abc\r\nContent-Type: text/plain\r\n\r\nHi\r\n--abc--\r\n'),
  'headers only, no blank line': Buffer.from('Subject: nothing else\r\nContent-Type: text/plain\r\n', 'latin1'),
  'a folded Content-Type': message('Content-Type: text/plain;\r\n charset="utf-8"\r\nContent-Transfer-Encoding: Quoted-Printable\r\n', 'caf=C3=A9\r\n'),
};

describe('reading a single plain-text part directly', () => {
  it.each(Object.entries(CASES))('gives what mailparser gives: %s', async (_name, raw) => {
    const { direct, mailparser } = await bothWays(raw);
    expect(direct).toEqual(mailparser);
  });

  it('takes the plain-text cases and leaves the others to mailparser', async () => {
    const taken: string[] = [];
    for (const [name, raw] of Object.entries(CASES)) if (await takenDirectly(raw)) taken.push(name);
    expect(taken).toEqual(Object.keys(CASES).filter((name) => !name.includes('left to mailparser') && !name.startsWith('headers only')));
    expect(splitSinglePartCandidate(CASES['headers only, no blank line'] ?? Buffer.alloc(0))).toBeUndefined();
  });

  it('decodes only what it reads the same way', () => {
    const headers = (fields: Record<string, HeaderValue>): Headers => new Map(Object.entries(fields));
    const body = Buffer.from('caf=C3=A9\r\n');
    expect(singlePartText(headers({ 'content-type': { value: 'text/plain', params: { charset: 'utf-8' } }, 'content-transfer-encoding': 'quoted-printable' }), body)).toBe(
      'café\n',
    );
    expect(singlePartText(headers({ 'content-type': { value: 'text/plain', params: { charset: 'utf-8' } }, 'content-transfer-encoding': 'base64' }), body)).toBeUndefined();
    expect(singlePartText(headers({ 'content-type': { value: 'text/plain', params: { charset: 'utf-8', format: 'flowed' } } }), body)).toBeUndefined();
    expect(singlePartText(headers({ 'content-type': { value: 'text/plain', params: { charset: 'koi8-r' } } }), body)).toBeUndefined();
    expect(singlePartText(headers({ 'content-type': { value: 'text/html', params: {} } }), body)).toBeUndefined();
    expect(singlePartText(headers({}), body)).toBe('caf=C3=A9\n');
  });

  it("gives what mailparser gives for every message of the labelled corpus and bench:relay's staff email", async () => {
    const corpus = new URL('../../fixtures/corpus/', import.meta.url);
    const messages = [
      ...readdirSync(corpus)
        .filter((file) => file.endsWith('.eml'))
        .map((file) => ({ name: file, raw: readFileSync(new URL(file, corpus)) })),
      { name: 'staff email', raw: await staffEmail() },
    ];
    let direct = 0;
    for (const { name, raw } of messages) {
      if (await takenDirectly(raw)) direct += 1;
      const both = await bothWays(raw);
      expect(both.direct, name).toEqual(both.mailparser);
    }
    expect(direct).toBeGreaterThan(20);
  });
});
