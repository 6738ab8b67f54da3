import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPdfEnvelopeEmail } from '../../src/crypto/envelope-email.js';
import { buildPdfEnvelope, FULL_TEXT_NAME, NOT_SHOWN, PdfEnvelopeUnfaithful } from '../../src/crypto/pdf-envelope.js';
import { composeTestMessage, SECRET } from './support/messages.js';
import { detachAll, runTool } from './support/pdf-tools.js';

const PASSPHRASE = 'K7QX-MHTA-9CEW-YRJ4-PN3D-VAFU';
const NOW = new Date('2026-03-02T10:20:00Z');

let folder: string;
let counter = 0;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'hm-pdf-envelope-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function saved(pdf: Buffer): Promise<string> {
  counter += 1;
  const path = join(folder, `envelope-${counter}.pdf`);
  await writeFile(path, pdf);
  return path;
}

async function textOf(path: string, password = PASSPHRASE): Promise<string> {
  const result = await runTool('pdftotext', ['-upw', password, '-enc', 'UTF-8', path, '-']);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.replace(/\s+/g, ' ');
}

describe('buildPdfEnvelope, read back with qpdf and poppler', () => {
  const scan = randomBytes(300_000);
  const photo = randomBytes(40_000);
  let path: string;
  let pdf: Buffer;

  beforeAll(async () => {
    const raw = await composeTestMessage({
      attachments: [
        { filename: 'scan.pdf', content: scan, contentType: 'application/pdf' },
        { filename: SECRET.attachmentName, content: SECRET.attachmentText, contentType: 'text/plain' },
        { filename: 'scan.pdf', content: photo, contentType: 'application/pdf' },
      ],
    });
    pdf = await buildPdfEnvelope(raw, { passphrase: PASSPHRASE, now: NOW });
    path = await saved(pdf);
  });

  it('is encrypted with AES-256 under the ISO 32000-2 security handler (revision 6), for strings, streams and files', async () => {
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-2.0');
    const shown = await runTool('qpdf', ['--show-encryption', `--password=${PASSPHRASE}`, path]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^R = 6$/m);
    expect(shown.stdout).toMatch(/^stream encryption method: AESv3$/m);
    expect(shown.stdout).toMatch(/^string encryption method: AESv3$/m);
    expect(shown.stdout).toMatch(/^file encryption method: AESv3$/m);
    expect(shown.stdout).toContain('Supplied password is user password');
    const checked = await runTool('qpdf', ['--check', `--password=${PASSPHRASE}`, path]);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    expect(checked.stdout).toContain('No syntax or stream encoding errors found');
  });

  it('refuses to open without the passphrase, or with a wrong one', async () => {
    const decrypted = join(folder, 'decrypted.pdf');
    for (const password of [[], ['--password=K7QX-MHTA-9CEW-YRJ4-PN3D-VAFV']]) {
      const result = await runTool('qpdf', ['--decrypt', ...password, path, decrypted]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/invalid password/);
    }
    const text = await runTool('pdftotext', [path, '-']);
    expect(text.code).not.toBe(0);
    expect(text.stderr).toMatch(/Incorrect password/);
    const wrong = await runTool('pdfdetach', ['-upw', 'not-the-passphrase', '-list', path]);
    expect(wrong.code).not.toBe(0);
    // Nothing of the message is in the file's bytes.
    for (const secret of Object.values(SECRET)) expect(pdf.toString('latin1')).not.toContain(secret);
  });

  it('gives back the headers and the text with the passphrase (pdftotext)', async () => {
    const text = await textOf(path);
    expect(text).toContain('From: Ms Example Teacher <teacher@school.example.sch.uk>');
    expect(text).toContain('To: parent@home.example.org');
    expect(text).toContain(`Subject: [secure] ${SECRET.subjectWords}: ${SECRET.pupil}`);
    expect(text).toMatch(/Date: Mon, 02 Mar 2026 10:15:00 \+0000/);
    expect(text).toContain(`${SECRET.bodyText} ${SECRET.pupil} did well.`);
    expect(text).toContain('scan.pdf (293 KB)');
  });

  it('gives back every attachment byte for byte, a repeated name made unique (pdfdetach)', async () => {
    const files = await detachAll(path, PASSPHRASE, join(folder, 'detached'));
    expect([...files.keys()].sort()).toEqual([SECRET.attachmentName, 'scan (2).pdf', 'scan.pdf'].sort());
    expect(files.get('scan.pdf')!.equals(scan)).toBe(true);
    expect(files.get('scan (2).pdf')!.equals(photo)).toBe(true);
    expect(files.get(SECRET.attachmentName)!.toString('utf8')).toBe(SECRET.attachmentText);
  });
});

describe('buildPdfEnvelope: what the page can show', () => {
  it('renders an HTML-only body as readable text: no markup, no script, no link target', async () => {
    const html =
      '<p>Dear parent,</p><p><b>Reading</b> <i>age</i>: eleven.</p><table><tr><td>Maths</td><td>Expected</td></tr></table><script>alert("x")</script><a href="https://tracker.example.com/x">the report</a>';
    const path = await saved(await buildPdfEnvelope(await composeTestMessage({ text: null, html, attachments: [] }), { passphrase: PASSPHRASE, now: NOW }));
    const text = await textOf(path);
    expect(text).toContain('Dear parent, Reading age: eleven. Maths Expected the report');
    expect(text).not.toContain('alert');
    expect(text).not.toContain('tracker.example.com');
    expect(text).not.toContain('<p>');
  });

  it('shows Polish, Greek and Cyrillic as written, and embeds nothing extra', async () => {
    const body = 'Zażółć gęślą jaźń. Ελληνικά. Українська мова. Ştefan Ţară.';
    const path = await saved(await buildPdfEnvelope(await composeTestMessage({ text: body, attachments: [] }), { passphrase: PASSPHRASE, now: NOW }));
    expect(await textOf(path)).toContain(body);
    const listed = await runTool('pdfdetach', ['-upw', PASSPHRASE, '-list', path]);
    expect(listed.stdout).toMatch(/^0 embedded files/m);
  });

  it('marks what it cannot show and attaches the full text, so nothing is lost silently', async () => {
    const body = 'Dear parent, 您好 and السلام عليكم and नमस्ते — see you on Monday.';
    const subject = 'Meeting 会议';
    const path = await saved(await buildPdfEnvelope(await composeTestMessage({ subject, text: body, attachments: [] }), { passphrase: PASSPHRASE, now: NOW }));
    const text = await textOf(path);
    expect(text).toContain(`Dear parent, ${NOT_SHOWN}${NOT_SHOWN} and`);
    expect(text).toContain('see you on Monday.');
    expect(text).toContain(`The full text is attached as ${FULL_TEXT_NAME}`);
    const files = await detachAll(path, PASSPHRASE, join(folder, 'full-text'));
    const full = files.get(FULL_TEXT_NAME)!.toString('utf8');
    expect(full.startsWith('\ufeff')).toBe(true);
    expect(full).toContain(`Subject: ${subject}`);
    expect(full).toContain(body);
  });

  it('names an unnamed attachment by its number and type, and embeds an attached message as .eml', async () => {
    const inner = 'From: carer@example.org\r\nSubject: Inner\r\n\r\nThe forwarded note.\r\n';
    const raw = Buffer.from(
      [
        'From: teacher@school.example.sch.uk',
        'To: parent@home.example.org',
        'Subject: Unnamed parts',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'See the picture and the note.',
        '--b',
        'Content-Type: image/png',
        'Content-Transfer-Encoding: base64',
        '',
        'iVBORw0KGgoAAAANSUhEUg==',
        '--b',
        'Content-Type: message/rfc822',
        '',
        inner,
        '--b--',
        '',
      ].join('\r\n'),
    );
    const path = await saved(await buildPdfEnvelope(raw, { passphrase: PASSPHRASE, now: NOW }));
    const files = await detachAll(path, PASSPHRASE, join(folder, 'unnamed'));
    expect([...files.keys()].sort()).toEqual(['attachment-1.png', 'attachment-2.eml']);
    expect(files.get('attachment-1.png')!.equals(Buffer.from('iVBORw0KGgoAAAANSUhEUg==', 'base64'))).toBe(true);
    expect(files.get('attachment-2.eml')!.toString('latin1')).toContain('The forwarded note.');
  });

  it('refuses a message it cannot read whole rather than leave parts out', async () => {
    const attachments = Array.from({ length: 510 }, (_, index) => ({ filename: `part-${index}.txt`, content: `part ${index}`, contentType: 'text/plain' }));
    const error = await buildPdfEnvelope(await composeTestMessage({ attachments }), { passphrase: PASSPHRASE, now: NOW }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PdfEnvelopeUnfaithful);
    expect((error as Error).message).toContain('too-many-parts');
  });
});

describe('buildPdfEnvelopeEmail', () => {
  it('carries the PDF byte for byte under a covering note that names the sender and says how to open it', async () => {
    const raw = await composeTestMessage();
    const pdf = await buildPdfEnvelope(raw, { passphrase: PASSPHRASE, now: NOW });
    for (const source of ['generated', 'pre-agreed'] as const) {
      const email = buildPdfEnvelopeEmail(raw, { pdf, passphraseSource: source });
      const text = email.toString('latin1');
      expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      // RFC 5322 §2.1.1 for every line, RFC 2045 §6.8 for the base64 ones.
      expect(Math.max(...text.split('\r\n').map((line) => line.length))).toBeLessThanOrEqual(998);
      const base64 = text.slice(text.indexOf('\r\n\r\n', text.indexOf('filename="secure-message.pdf"')) + 4, text.lastIndexOf('\r\n--')).split('\r\n');
      expect(base64.length).toBeGreaterThan(100);
      expect(base64.every((line) => /^[A-Za-z0-9+/=]{1,76}$/.test(line))).toBe(true);
      const parsed = await simpleParser(email);
      expect(parsed.subject).toBe('Secure message');
      expect(parsed.from?.text).toContain('teacher@school.example.sch.uk');
      expect(parsed.text).toContain('Ms Example Teacher (teacher@school.example.sch.uk) has sent you a secure message.');
      expect(parsed.text).toContain('secure-message.pdf');
      expect(parsed.text).toContain(source === 'generated' ? 'by phone or text message' : 'your organisation agreed');
      expect(parsed.html).toContain('<p>To read it:</p>');
      expect(parsed.attachments.map((part) => [part.filename, part.contentType])).toEqual([['secure-message.pdf', 'application/pdf']]);
      expect(parsed.attachments[0]!.content.equals(pdf)).toBe(true);
      const visible = [text, parsed.text, String(parsed.html)].join('\n');
      for (const secret of Object.values(SECRET)) expect(visible).not.toContain(secret);
      expect(visible).not.toContain(PASSPHRASE);
    }
  });
});
