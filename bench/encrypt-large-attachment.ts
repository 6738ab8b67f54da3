/**
 * Peak resident memory of encrypting one message with a 25 MB attachment for two recipients, one
 * with a key (PGP/MIME) and one without (Argon2 password envelope), in its own process so that
 * nothing else inflates the figure. Prints one line. `bench/encrypt.ts` writes the message and runs this.
 */
import { stat } from 'node:fs/promises';
import { generateKey } from 'openpgp';
import { encryptForRecipients } from '../src/crypto/encrypt-message.js';
import { importKeys } from '../src/crypto/recipient-keys.js';

const [file, dataDir] = process.argv.slice(2);
if (!file || !dataDir) throw new Error('usage: encrypt-large-attachment FILE.eml DATA_DIR');
const { publicKey } = await generateKey({ userIDs: [{ email: 'parent@home.example.org' }], format: 'armored', date: new Date(Date.now() - 60_000) });
await importKeys(dataDir, publicKey, new Date());
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const delivery = await encryptForRecipients({
  raw: file,
  envelope: { mailFrom: 'teacher@school.example.sch.uk', rcptTo: ['parent@home.example.org', 'grandparent@mail.example.net'] },
  keyring: dataDir,
  preAgreed: {},
  now: new Date(),
});
const seconds = (performance.now() - started) / 1000;
const peakMegabytes = process.resourceUsage().maxRSS / 1024;
const sizeMegabytes = (await stat(file)).size / 1048576;
const outputs = delivery.messages.map((message) => `${message.form} ${(message.raw.length / 1048576).toFixed(1)} MB`).join(', ');
console.log(
  `${sizeMegabytes.toFixed(1)} MB message with a 25 MB attachment, both forms: peak RSS ${peakMegabytes.toFixed(0)} MB, ` +
    `${(rssBefore / 1048576).toFixed(0)} MB before, ${seconds.toFixed(2)} s; ${outputs}`,
);
