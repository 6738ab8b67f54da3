import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptedTooLarge, encryptForRecipients, removeEncryptionTag, type EncryptionInput, type KeylessForm } from '../../src/crypto/encrypt-message.js';
import { EncryptionError } from '../../src/crypto/encryption-error.js';
import { importKeys } from '../../src/crypto/recipient-keys.js';
import { GpgHome } from './support/gpg.js';
import { composeTestMessage, SECRET } from './support/messages.js';
import { runTool } from './support/pdf-tools.js';

const NOW = new Date(Date.now() + 60_000);
const PARENT = 'parent@home.example.org';
const WORKER = 'worker@agency.example.org';
const KEYLESS = 'grandparent@mail.example.net';
const PARTNER = 'duty.team@council.example.gov.uk';
const BLIND = 'head@other-school.example.sch.uk';

let parent: GpgHome;
let worker: GpgHome;
let blind: GpgHome;
let dataDir: string;

beforeAll(async () => {
  [parent, worker, blind] = await Promise.all([GpgHome.create(), GpgHome.create(), GpgHome.create()]);
  dataDir = await mkdtemp(join(tmpdir(), 'hm-encrypt-'));
  await importKeys(dataDir, await parent.generateKey(`Parent <${PARENT}>`), NOW);
  await importKeys(dataDir, await worker.generateKey(`Worker <${WORKER}>`), NOW);
  await importKeys(dataDir, await blind.generateKey(`Head <${BLIND}>`), NOW);
});

afterAll(async () => {
  await Promise.all([parent, worker, blind].map((home) => home.remove()));
  await rm(dataDir, { recursive: true, force: true });
});

function input(raw: Buffer | string, rcptTo: string[], extra: Partial<EncryptionInput> = {}): EncryptionInput {
  return {
    raw,
    envelope: { mailFrom: 'teacher@school.example.sch.uk', rcptTo },
    keyring: dataDir,
    preAgreed: { 'council.example.gov.uk': 'Agreed-Partner-Passphrase-2026' },
    kdf: 'iterated',
    now: NOW,
    ...extra,
  };
}

function armoredIn(raw: Buffer): string {
  return /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/.exec(raw.toString('latin1'))![0];
}

describe('encryptForRecipients', () => {
  it('gives each recipient the form that fits them, and nobody the message in clear', async () => {
    const original = await composeTestMessage({ to: [PARENT, KEYLESS], cc: [WORKER, PARTNER] });
    // The partner's council has asked for the web page; everyone else without a key gets the default PDF.
    const keylessForm = (recipient: string): KeylessForm => (recipient.endsWith('@council.example.gov.uk') ? 'html' : 'pdf');
    const delivery = await encryptForRecipients(input(original, [PARENT, KEYLESS, WORKER, PARTNER, BLIND], { keylessForm }));
    const forms = delivery.messages.map((message) => [message.form, [...message.recipients].sort()]);
    expect(forms).toEqual([
      ['pgp-mime', [PARENT, WORKER]],
      ['pgp-mime', [BLIND]],
      ['pdf-envelope', [KEYLESS]],
      ['password-envelope', [PARTNER]],
    ]);
    expect(delivery.passphrases).toHaveLength(1);
    expect(delivery.passphrases[0]?.recipients).toEqual([KEYLESS]);
    expect(delivery.passphrases[0]?.passphrase).toMatch(/^([A-Z0-9]{4}-){5}[A-Z0-9]{4}$/);

    for (const message of delivery.messages) {
      // RFC 5322 §2.1.1 and §2.3: CRLF only, no line over 998 octets; a careful next hop refuses anything else.
      const text = message.raw.toString('latin1');
      expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      expect(Math.max(...text.split('\r\n').map((line) => line.length))).toBeLessThanOrEqual(998);
      const parsed = await simpleParser(message.raw);
      const visible = [message.raw.toString('latin1'), parsed.subject, parsed.text, String(parsed.html), ...parsed.attachments.map((part) => part.content.toString('utf8'))].join(
        '\n',
      );
      for (const secret of Object.values(SECRET)) expect(visible, `${message.form} leaks`).not.toContain(secret);
      expect(visible).not.toContain(delivery.passphrases[0]!.passphrase);
      expect(visible).not.toContain('Agreed-Partner-Passphrase-2026');
    }

    const shared = delivery.messages[0]!;
    for (const home of [parent, worker]) {
      const result = await home.decrypt(armoredIn(shared.raw));
      expect(result.code, result.stderr).toBe(0);
      const inner = await simpleParser(result.stdout);
      expect(inner.subject).toBe(`${SECRET.subjectWords}: ${SECRET.pupil}`);
      expect(inner.text).toContain(SECRET.bodyText);
    }
    // The blind-copied head's key is in no visible recipient's message, and theirs opens only for them.
    expect((await blind.decrypt(armoredIn(shared.raw))).code).not.toBe(0);
    expect((await blind.decrypt(armoredIn(delivery.messages[1]!.raw))).code).toBe(0);
    expect((await parent.decrypt(armoredIn(delivery.messages[1]!.raw))).code).not.toBe(0);

    const pdf = (await simpleParser(delivery.messages[2]!.raw)).attachments.find((part) => part.filename === 'secure-message.pdf')!;
    const pdfPath = join(dataDir, 'keyless.pdf');
    await writeFile(pdfPath, pdf.content);
    const pdfText = await runTool('pdftotext', ['-upw', delivery.passphrases[0]!.passphrase, pdfPath, '-']);
    expect(pdfText.code, pdfText.stderr).toBe(0);
    expect(pdfText.stdout).toContain(`Subject: ${SECRET.subjectWords}: ${SECRET.pupil}`);
    expect((await runTool('pdftotext', ['-upw', 'Agreed-Partner-Passphrase-2026', pdfPath, '-'])).code).not.toBe(0);

    const asc = (await simpleParser(delivery.messages[3]!.raw)).attachments.find((part) => part.filename === 'secure-message.asc')!;
    const result = await parent.decrypt(asc.content, 'Agreed-Partner-Passphrase-2026');
    expect(result.code, result.stderr).toBe(0);
    expect((await simpleParser(result.stdout)).text).toContain(SECRET.bodyText);
  }, 60_000);

  it('gives one generated passphrase to keyless recipients of both forms, and names them all to the sender', async () => {
    const original = await composeTestMessage({ to: [KEYLESS, 'aunt@web.example.com'] });
    const keylessForm = (recipient: string): KeylessForm => (recipient === KEYLESS ? 'html' : 'pdf');
    const delivery = await encryptForRecipients(input(original, [KEYLESS, 'aunt@web.example.com'], { keylessForm }));
    expect(delivery.messages.map((message) => [message.form, message.recipients])).toEqual([
      ['pdf-envelope', ['aunt@web.example.com']],
      ['password-envelope', [KEYLESS]],
    ]);
    expect(delivery.passphrases).toEqual([{ passphrase: expect.stringMatching(/^([A-Z0-9]{4}-){5}[A-Z0-9]{4}$/), recipients: [KEYLESS, 'aunt@web.example.com'] }]);
  });

  it('sends the web page instead when the PDF could not render the message whole', async () => {
    const attachments = Array.from({ length: 510 }, (_, index) => ({ filename: `part-${index}.txt`, content: `part ${index}`, contentType: 'text/plain' }));
    const delivery = await encryptForRecipients(input(await composeTestMessage({ to: KEYLESS, attachments }), [KEYLESS]));
    expect(delivery.messages.map((message) => message.form)).toEqual(['password-envelope']);
  });

  it('refuses an encrypted form larger than the next hop takes, saying how large', async () => {
    const original = await composeTestMessage({ to: KEYLESS, attachments: [{ filename: 'scan.pdf', content: randomBytes(300_000), contentType: 'application/pdf' }] });
    const error = await encryptForRecipients(input(original, [KEYLESS], { maxMessageBytes: 100_000 })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EncryptedTooLarge);
    expect((error as EncryptedTooLarge).limit).toBe(100_000);
    expect((error as Error).message).toMatch(/^encrypted, the message would be 0\.\d MB: more than the 0\.1 MB the next hop accepts$/);
    expect((await encryptForRecipients(input(original, [KEYLESS], { maxMessageBytes: 1_000_000 }))).messages).toHaveLength(1);
  });

  it('reads the message from a spool path, and removes the [encrypt] tag from the delivered subject', async () => {
    const path = join(dataDir, 'spooled.eml');
    await writeFile(path, await composeTestMessage({ subject: `RE: [Encrypt] ${SECRET.subjectWords}` }));
    const delivery = await encryptForRecipients(input(path, [PARENT]));
    const result = await parent.decrypt(armoredIn(delivery.messages[0]!.raw));
    expect((await simpleParser(result.stdout)).subject).toBe(`RE: ${SECRET.subjectWords}`);
  });

  it('fails with encryption-failed (tempfail) when a keyless recipient cannot get a passphrase', async () => {
    const original = await composeTestMessage({ to: [PARENT, KEYLESS] });
    for (const extra of [{ canNotifySender: false }, { envelope: { mailFrom: '', rcptTo: [PARENT, KEYLESS] } }]) {
      const error = await encryptForRecipients(input(original, [PARENT, KEYLESS], extra)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EncryptionError);
      expect((error as EncryptionError).code).toBe('encryption-failed');
      expect((error as EncryptionError).disposition).toBe('temporary');
    }
  });

  it('turns an OpenPGP failure into encryption-failed, never plaintext', async () => {
    const original = await composeTestMessage({ to: KEYLESS });
    const error = await encryptForRecipients(
      input(original, [KEYLESS], { kdf: 'argon2', argon2: { passes: 1, parallelism: 1, memoryExponent: 40 }, keylessForm: () => 'html' }),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EncryptionError);
    expect((error as Error).message).not.toContain(SECRET.pupil);
  });
});

describe('removeEncryptionTag', () => {
  it.each([
    ['[secure] Meeting notes', 'Meeting notes'],
    ['Meeting notes [ENCRYPT]', 'Meeting notes'],
    ['RE: [ Secure ]  notes [encrypt] today', 'RE: notes today'],
    ['[secured] stays', '[secured] stays'],
  ])('%s → %s', (subject, expected) => {
    expect(removeEncryptionTag(subject)).toBe(expected);
  });
});
