/**
 * Makes docs/screenshots/envelope-passphrase.png and envelope-opened.png: a password envelope for an
 * invented message, opened from disk in Debian's headless Chromium. Run after `npm run build`:
 * `node dist/bench/envelope-screenshots.js`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderEnvelopePage } from '../src/crypto/envelope-html.js';
import { encryptWithPassphrase } from '../src/crypto/password-envelope.js';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { EXAMPLE_PASSPHRASE, exampleMessage, launchChromium } from './screenshot-example.js';

async function main(): Promise<void> {
  const original = await exampleMessage();
  const folder = await mkdtemp(join(tmpdir(), 'hm-screenshots-'));
  const browser = await launchChromium();
  try {
    const path = join(folder, 'secure-message.html');
    const payload = await encryptWithPassphrase(original, EXAMPLE_PASSPHRASE, { now: new Date() });
    await writeFile(path, renderEnvelopePage(payload, { sender: 'Ms Example Teacher (teacher@school.example.sch.uk)' }));
    const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
    await page.goto(pathToFileURL(path).href);
    await page.getByLabel(/Passphrase/).fill(EXAMPLE_PASSPHRASE);
    await page.screenshot({ path: join(PACKAGE_ROOT, 'docs', 'screenshots', 'envelope-passphrase.png') });
    await page.getByRole('button', { name: 'Open the message' }).click();
    await page.waitForSelector('#message', { state: 'visible' });
    await page.screenshot({ path: join(PACKAGE_ROOT, 'docs', 'screenshots', 'envelope-opened.png'), fullPage: true });
  } finally {
    await browser.close();
    await rm(folder, { recursive: true, force: true });
  }
}

await main();
