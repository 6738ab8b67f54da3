/**
 * Time and peak resident memory of encrypting one message in one form, in its own process so that
 * nothing else inflates the figure: `pgp-mime` for a recipient with a key, `html` (the Argon2 web page)
 * or `pdf` (the AES-256 PDF envelope) for one without. Prints one JSON line. `bench/encrypt.ts` writes
 * the message and runs this once per size and form.
 */
import { generateKey } from 'openpgp';
import { encryptForRecipients, type KeylessForm } from '../src/crypto/encrypt-message.js';
import { importKeys } from '../src/crypto/recipient-keys.js';

const [file, dataDir, form] = process.argv.slice(2);
if (!file || !dataDir || !['pgp-mime', 'html', 'pdf'].includes(form ?? '')) throw new Error('usage: encrypt-large-attachment FILE.eml DATA_DIR pgp-mime|html|pdf');
const { publicKey } = await generateKey({ userIDs: [{ email: 'parent@home.example.org' }], format: 'armored', date: new Date(Date.now() - 60_000) });
await importKeys(dataDir, publicKey, new Date());
const recipient = form === 'pgp-mime' ? 'parent@home.example.org' : 'grandparent@mail.example.net';
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const delivery = await encryptForRecipients({
  raw: file,
  envelope: { mailFrom: 'teacher@school.example.sch.uk', rcptTo: [recipient] },
  keyring: dataDir,
  preAgreed: {},
  now: new Date(),
  keylessForm: () => form as KeylessForm,
});
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    form: delivery.messages[0]!.form,
    seconds,
    peakMegabytes: process.resourceUsage().maxRSS / 1024,
    beforeMegabytes: rssBefore / 1048576,
    outputBytes: delivery.messages[0]!.raw.length,
  }),
);
