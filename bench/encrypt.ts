/**
 * `npm run bench:encrypt`: encryption time (median of several runs) and size overhead of each form
 * (PGP/MIME, the web-page envelope with Argon2, and with the iterated compatibility KDF, the PDF
 * envelope) for a 20 KB and a 5 MB message; then, for attachments of 100 KB, 2 MB and 20 MB, the time
 * and peak RSS of each form in a fresh process.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateKey, readKey, type PublicKey } from 'openpgp';
import { buildEnvelopeEmail, buildPdfEnvelopeEmail } from '../src/crypto/envelope-email.js';
import { encryptWithPassphrase, type PassphraseKdf } from '../src/crypto/password-envelope.js';
import { buildPdfEnvelope } from '../src/crypto/pdf-envelope.js';
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
    {
      name: 'PDF envelope',
      runs: 7,
      encrypt: async (raw) => buildPdfEnvelopeEmail(raw, { pdf: await buildPdfEnvelope(raw, { passphrase: PASSPHRASE, now }), passphraseSource: 'generated' }),
    },
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
      console.log(
        `${`${message.name} (${kib(message.raw.length)})`.padEnd(18)}${form.name.padEnd(22)}${millis.toFixed(1).padStart(9)}   ${kib(size).padStart(10)}  ${overhead.toFixed(1).padStart(7)} %`,
      );
    }
  }
  console.log('\nattachment  message     form          seconds   peak RSS (before)   output');
  for (const megabytes of [0.1, 2, 20]) {
    for (const line of await freshProcessRuns(megabytes)) console.log(line);
  }
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

/** Writes a message with one incompressible attachment of that size and encrypts it in each form, each in a fresh process. */
async function freshProcessRuns(megabytes: number): Promise<string[]> {
  const folder = await mkdtemp(join(tmpdir(), 'hm-bench-'));
  try {
    const file = join(folder, 'large.eml');
    const raw = await composeMessage('Please see the attached scan.', [
      { filename: 'scan.pdf', content: randomBytes(Math.round(megabytes * 1024 * 1024)), contentType: 'application/pdf' },
    ]);
    await writeFile(file, raw);
    const script = fileURLToPath(new URL('./encrypt-large-attachment.js', import.meta.url));
    const lines: string[] = [];
    for (const form of ['pgp-mime', 'html', 'pdf']) {
      const run = JSON.parse(execFileSync(process.execPath, [script, file, await mkdtemp(join(folder, 'keys-')), form], { encoding: 'utf8' })) as FreshRun;
      lines.push(
        `${`${megabytes} MB`.padEnd(12)}${kib(raw.length).padEnd(12)}${run.form.padEnd(18)}${run.seconds.toFixed(2).padStart(7)}   ${`${run.peakMegabytes.toFixed(0)} MB (${run.beforeMegabytes.toFixed(0)} MB)`.padStart(17)}   ${kib(run.outputBytes)}`,
      );
    }
    return lines;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

interface FreshRun {
  readonly form: string;
  readonly seconds: number;
  readonly peakMegabytes: number;
  readonly beforeMegabytes: number;
  readonly outputBytes: number;
}

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

await main();
