import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { readPrivateKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPgpMime, PGP_MIME_SUBJECT } from '../../src/crypto/pgp-mime.js';
import { findEncryptionKey, importKeys } from '../../src/crypto/recipient-keys.js';
import { GpgHome } from './support/gpg.js';
import { makeKey } from './support/keys.js';
import { composeTestMessage, SECRET } from './support/messages.js';

const NOW = new Date(Date.now() + 60_000);
let recipient: GpgHome;
let dataDir: string;

beforeAll(async () => {
  recipient = await GpgHome.create();
  dataDir = await mkdtemp(join(tmpdir(), 'hm-pgpmime-'));
  await importKeys(dataDir, await recipient.generateKey('Parent Example <parent@home.example.org>'), NOW);
});

afterAll(async () => {
  await recipient.remove();
  await rm(dataDir, { recursive: true, force: true });
});

async function encryptedFor(options: { signed?: boolean } = {}) {
  const key = await findEncryptionKey(dataDir, 'parent@home.example.org', NOW);
  const gateway = await makeKey('gateway@school.example.sch.uk');
  const signingKey = options.signed ? await readPrivateKey({ armoredKey: gateway.privateKey }) : undefined;
  const raw = await buildPgpMime(await composeTestMessage({ subject: `${SECRET.subjectWords}: ${SECRET.pupil}` }), { encryptionKeys: [key!], signingKey, now: NOW });
  return { raw, gatewayPublicKey: gateway.publicKey };
}

describe('PGP/MIME (RFC 3156)', () => {
  it('is multipart/encrypted with a neutral subject and nothing of the message outside', async () => {
    const { raw } = await encryptedFor();
    const text = raw.toString('latin1');
    expect(text).toMatch(/^Content-Type: multipart\/encrypted; protocol="application\/pgp-encrypted"; boundary=/m);
    expect(text).toMatch(/^Content-Type: application\/pgp-encrypted\r\n[\s\S]*?\r\n\r\nVersion: 1\r\n/m);
    expect(text).toContain(`\r\nSubject: ${PGP_MIME_SUBJECT}\r\n`);
    expect(text).toMatch(/^From: Ms Example Teacher <teacher@school.example.sch.uk>\r$/m);
    expect(text).toMatch(/^Message-ID: <test-message@school.example.sch.uk>\r$/m);
    for (const secret of Object.values(SECRET)) expect(text).not.toContain(secret);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(PGP_MIME_SUBJECT);
    expect(parsed.to && 'text' in parsed.to ? parsed.to.text : '').toContain('parent@home.example.org');
  });

  it('decrypts with GnuPG to the original entity under protected headers', async () => {
    const { raw } = await encryptedFor();
    const armored = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/.exec(raw.toString('latin1'))?.[0];
    const result = await recipient.decrypt(armored!);
    expect(result.code, result.stderr).toBe(0);
    const inner = result.stdout.toString('utf8');
    expect(inner).toMatch(/^Content-Type: multipart\/mixed;.*protected-headers="v1"/m);
    expect(inner).toMatch(/^Subject: /m);
    const parsed = await simpleParser(result.stdout);
    expect(parsed.subject).toBe(`${SECRET.subjectWords}: ${SECRET.pupil}`);
    expect(parsed.text).toContain(SECRET.bodyText);
    expect(parsed.attachments.map((attachment) => attachment.filename)).toEqual([SECRET.attachmentName]);
    expect(parsed.attachments[0]?.content.toString('utf8')).toBe(SECRET.attachmentText);
    expect(parsed.messageId).toBe('<test-message@school.example.sch.uk>');
  });

  it('signs inside the encryption with the gateway key when given one, and GnuPG verifies it', async () => {
    const { raw, gatewayPublicKey } = await encryptedFor({ signed: true });
    await recipient.importKey(gatewayPublicKey);
    const armored = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/.exec(raw.toString('latin1'))?.[0];
    const result = await recipient.decrypt(armored!);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Good signature from "Example Recipient <gateway@school.example.sch.uk>"');
  });
});
