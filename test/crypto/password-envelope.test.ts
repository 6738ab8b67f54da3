import { simpleParser, type ParsedMail } from 'mailparser';
import { decrypt, readMessage } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnvelopeEmail, ENVELOPE_SUBJECT } from '../../src/crypto/envelope-email.js';
import { encryptWithPassphrase } from '../../src/crypto/password-envelope.js';
import { GpgHome } from './support/gpg.js';
import { composeTestMessage, SECRET } from './support/messages.js';

const NOW = new Date();
const PASSPHRASE = 'K7QX-MHTA-9CEW-YRJ4-PN3D-VAFU';
let gpg: GpgHome;
let original: Buffer;

beforeAll(async () => {
  gpg = await GpgHome.create();
  original = await composeTestMessage({ subject: `${SECRET.subjectWords}: ${SECRET.pupil}` });
});

afterAll(async () => {
  await gpg.remove();
});

function payloadOf(mail: ParsedMail): string {
  return mail.attachments.find((attachment) => attachment.filename === 'secure-message.asc')!.content.toString('utf8');
}

describe('the password envelope', () => {
  it('carries a browser envelope and the OpenPGP payload, and nothing of the message in clear', async () => {
    const armoredPayload = await encryptWithPassphrase(original, PASSPHRASE, { kdf: 'iterated', now: NOW });
    const raw = buildEnvelopeEmail(original, { armoredPayload, passphraseSource: 'generated' });
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe(ENVELOPE_SUBJECT);
    expect(mail.from?.text).toContain('teacher@school.example.sch.uk');
    expect(mail.messageId).toBe('<test-message@school.example.sch.uk>');
    expect(mail.attachments.map((attachment) => attachment.filename)).toEqual(['secure-message.html', 'secure-message.asc']);
    expect(mail.text).toContain('Ms Example Teacher (teacher@school.example.sch.uk) has sent you a secure message');
    expect(mail.text).toContain('by phone or text message');
    const everything = [raw.toString('latin1'), mail.text ?? '', String(mail.html), ...mail.attachments.map((attachment) => attachment.content.toString('utf8'))].join('\n');
    for (const secret of Object.values(SECRET)) expect(everything).not.toContain(secret);
    expect(everything).not.toContain(PASSPHRASE);
  });

  it('compatibility mode (iterated S2K, SEIPDv1): GnuPG 2.2 decrypts the attached payload with the passphrase', async () => {
    const armoredPayload = await encryptWithPassphrase(original, PASSPHRASE, { kdf: 'iterated', now: NOW });
    const mail = await simpleParser(buildEnvelopeEmail(original, { armoredPayload, passphraseSource: 'pre-agreed' }));
    const result = await gpg.decrypt(payloadOf(mail), PASSPHRASE);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.equals(original)).toBe(true);
    const wrong = await gpg.decrypt(payloadOf(mail), 'WRONG-PASS-PHRA-SE00-0000-0000');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('decryption failed: Bad session key');
  });

  it('default mode (Argon2 S2K, SEIPDv2): openpgp.js opens it; GnuPG 2.2 refuses it with a clear error', async () => {
    const armoredPayload = await encryptWithPassphrase(original, PASSPHRASE, { now: NOW });
    const message = await readMessage({ armoredMessage: armoredPayload.toString('latin1') });
    const { data } = await decrypt({ message, passwords: [PASSPHRASE], format: 'binary' });
    expect(Buffer.from(data).equals(original)).toBe(true);
    // RFC 9580 packets: v6 SKESK (tag 3) with Argon2 S2K (type 4), then SEIPD version 2 (tag 18).
    const packets = message.packets.map((packet) => [packet.constructor.name, (packet as { version?: number }).version]);
    expect(packets).toEqual([
      ['SymEncryptedSessionKeyPacket', 6],
      ['SymEncryptedIntegrityProtectedDataPacket', 2],
    ]);
    const result = await gpg.decrypt(armoredPayload, PASSPHRASE);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('packet(3) with unknown version 6');
    expect(result.stdout.length).toBe(0);
  });

  it('leaves out the separate .asc above the size limit; GnuPG opens the HTML page itself', async () => {
    const armoredPayload = await encryptWithPassphrase(original, PASSPHRASE, { kdf: 'iterated', now: NOW });
    const mail = await simpleParser(buildEnvelopeEmail(original, { armoredPayload, passphraseSource: 'generated', separatePayloadLimitBytes: 100 }));
    expect(mail.attachments.map((attachment) => attachment.filename)).toEqual(['secure-message.html']);
    const page = await gpg.writeFile('secure-message.html', mail.attachments[0]!.content);
    const result = await gpg.gpg(['--pinentry-mode', 'loopback', '--passphrase', PASSPHRASE, '--decrypt', page]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.equals(original)).toBe(true);
  });

  it('says so when the passphrase was agreed in advance rather than passed on', async () => {
    const armoredPayload = await encryptWithPassphrase(original, PASSPHRASE, { kdf: 'iterated', now: NOW });
    const mail = await simpleParser(buildEnvelopeEmail(original, { armoredPayload, passphraseSource: 'pre-agreed' }));
    expect(mail.text).toContain('passphrase your organisation agreed');
  });
});
