import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { decrypt, readMessage } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptForRecipients } from '../../src/crypto/encrypt-message.js';
import { importKeys } from '../../src/crypto/recipient-keys.js';
import { GpgHome } from './support/gpg.js';
import { composeTestMessage } from './support/messages.js';

const MB = 1024 * 1024;
const NOW = new Date(Date.now() + 60_000);
let parent: GpgHome;
let dataDir: string;

beforeAll(async () => {
  parent = await GpgHome.create();
  dataDir = await mkdtemp(join(tmpdir(), 'hm-large-'));
  await importKeys(dataDir, await parent.generateKey('Parent <parent@home.example.org>'), NOW);
});

afterAll(async () => {
  await parent.remove();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a message with a 25 MB attachment', () => {
  it('is encrypted both ways (PGP/MIME and the web page) within bounded memory, and both forms open to the same bytes', async () => {
    // Random bytes: as incompressible as a scanned PDF, the worst case for size.
    const attachment = randomBytes(25 * MB);
    const original = await composeTestMessage({
      to: ['parent@home.example.org', 'grandparent@mail.example.net'],
      attachments: [{ filename: 'scan.pdf', content: attachment, contentType: 'application/pdf' }],
    });
    const baselineMb = process.resourceUsage().maxRSS / 1024;
    const started = performance.now();
    const delivery = await encryptForRecipients({
      raw: original,
      envelope: { mailFrom: 'teacher@school.example.sch.uk', rcptTo: ['parent@home.example.org', 'grandparent@mail.example.net'] },
      keyring: dataDir,
      preAgreed: {},
      now: NOW,
      keylessForm: () => 'html',
    });
    const elapsedMs = performance.now() - started;
    const peakMb = process.resourceUsage().maxRSS / 1024;
    const sizes = delivery.messages.map((message) => `${message.form} ${(message.raw.length / MB).toFixed(1)} MB`).join(', ');
    console.info(
      `25 MB attachment (${(original.length / MB).toFixed(1)} MB message): ${sizes}; peak RSS ${peakMb.toFixed(0)} MB (worker baseline ${baselineMb.toFixed(0)} MB), ${elapsedMs.toFixed(0)} ms`,
    );
    expect(peakMb).toBeLessThan(baselineMb + 400);

    const [pgpMime, envelope] = delivery.messages;
    expect(pgpMime?.form).toBe('pgp-mime');
    const armored = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/.exec(pgpMime!.raw.toString('latin1'))![0];
    const opened = await parent.decrypt(armored);
    expect(opened.code, opened.stderr).toBe(0);
    expect((await simpleParser(opened.stdout)).attachments[0]?.content.equals(attachment)).toBe(true);

    const asc = (await simpleParser(envelope!.raw)).attachments.find((part) => part.filename === 'secure-message.html')!.content.toString('utf8');
    const message = await readMessage({ armoredMessage: /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/.exec(asc)![0] });
    const { data } = await decrypt({ message, passwords: [delivery.passphrases[0]!.passphrase], format: 'binary' });
    expect((await simpleParser(Buffer.from(data))).attachments[0]?.content.equals(attachment)).toBe(true);
  }, 120_000);
});
