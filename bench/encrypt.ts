/**
 * `npm run bench:encrypt`: encryption time (median of several runs) and size overhead of each form
 * (PGP/MIME, the password envelope with Argon2, and with the iterated compatibility KDF) for a 20 KB
 * and a 5 MB message; then the peak RSS of encrypting a message with a 25 MB attachment both ways,
 * in a fresh process.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateKey, readKey, type PublicKey } from 'openpgp';
import { buildEnvelopeEmail } from '../src/crypto/envelope-email.js';
import { encryptWithPassphrase, type PassphraseKdf } from '../src/crypto/password-envelope.js';
import { buildPgpMime } from '../src/crypto/pgp-mime.js';
import { composeMessage, twentyKilobyteBody } from './messages.js';
import { syntheticPupils } from './synthetic-school.js';

const PASSPHRASE = 'K7QX-MHTA-9CEW-YRJ4-PN3D-VAFU';

interface Form {
  readonly name: string;
  readonly runs: number;
  readonly encrypt: (raw: Buffer) => Promise<Buffer>;
}

async function main(): Promise<void> {
  const key = await recipientKey();
  const now = new Date();
  const envelope = (kdf: PassphraseKdf) => async (raw: Buffer) =>
    buildEnvelopeEmail(raw, { armoredPayload: await encryptWithPassphrase(raw, PASSPHRASE, { kdf, now }), passphraseSource: 'generated' });
  const forms: Form[] = [
    { name: 'PGP/MIME', runs: 21, encrypt: (raw) => buildPgpMime(raw, { encryptionKeys: [key], now }) },
    { name: 'envelope, Argon2', runs: 7, encrypt: envelope('argon2') },
    { name: 'envelope, iterated', runs: 7, encrypt: envelope('iterated') },
  ];
  const body = twentyKilobyteBody(syntheticPupils(5));
  // Random bytes stand for a scanned PDF: incompressible, the worst case for size.
  const messages = [
    { name: '20 KB', raw: await composeMessage(body, []) },
    { name: '5 MB', raw: await composeMessage(body, [{ filename: 'scan.pdf', content: randomBytes(3_700_000), contentType: 'application/pdf' }]) },
  ];
  console.log('message   form                  median ms   output      overhead');
  for (const message of messages) {
    for (const form of forms) {
      const { millis, size } = await measure(form, message.raw);
      const overhead = ((size - message.raw.length) / message.raw.length) * 100;
      console.log(`${`${message.name} (${kib(message.raw.length)})`.padEnd(18)}${form.name.padEnd(22)}${millis.toFixed(1).padStart(9)}   ${kib(size).padStart(10)}  ${overhead.toFixed(1).padStart(7)} %`);
    }
  }
  console.log(await peakRssWithLargeAttachment());
}

async function measure(form: Form, raw: Buffer): Promise<{ millis: number; size: number }> {
  let size = (await form.encrypt(raw)).length;
  const times: number[] = [];
  for (let run = 0; run < form.runs; run += 1) {
    const started = performance.now();
    size = (await form.encrypt(raw)).length;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { millis: times[Math.floor(times.length / 2)]!, size };
}

async function recipientKey(): Promise<PublicKey> {
  const { publicKey } = await generateKey({ userIDs: [{ email: 'parent@home.example.org' }], format: 'armored' });
  return (await readKey({ armoredKey: publicKey })) as PublicKey;
}

/** Writes a message with a 25 MB attachment and encrypts it in a fresh process (`encrypt-large-attachment.ts`). */
async function peakRssWithLargeAttachment(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'hm-bench-'));
  try {
    const file = join(folder, 'large.eml');
    await writeFile(file, await composeMessage('Please see the attached scan.', [{ filename: 'scan.pdf', content: randomBytes(25 * 1024 * 1024), contentType: 'application/pdf' }]));
    const script = fileURLToPath(new URL('./encrypt-large-attachment.js', import.meta.url));
    return execFileSync(process.execPath, [script, file, folder], { encoding: 'utf8' }).trim();
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

await main();
