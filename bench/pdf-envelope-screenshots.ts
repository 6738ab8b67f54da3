/**
 * Makes docs/screenshots/pdf-envelope-password.png and pdf-envelope-opened.png: the PDF envelope of an
 * invented message in Chromium's own PDF viewer (Debian's Chromium, headless), first asking for the
 * password, then opened with it. Run after `npm run build`: `node dist/bench/pdf-envelope-screenshots.js`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPdfEnvelope } from '../src/crypto/pdf-envelope.js';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { EXAMPLE_PASSPHRASE, exampleMessage, launchChromium } from './screenshot-example.js';
import { openInPdfViewer } from './chromium-pdf-viewer.js';

async function main(): Promise<void> {
  const original = await exampleMessage();
  const folder = await mkdtemp(join(tmpdir(), 'hm-screenshots-'));
  const browser = await launchChromium();
  try {
    const path = join(folder, 'secure-message.pdf');
    await writeFile(path, await buildPdfEnvelope(original, { passphrase: EXAMPLE_PASSPHRASE, now: new Date() }));
    const shown = await openInPdfViewer(browser, path, { width: 900, height: 640 });
    await shown.viewer.locator('viewer-password-dialog input').waitFor();
    await shown.page.screenshot({ path: join(PACKAGE_ROOT, 'docs', 'screenshots', 'pdf-envelope-password.png') });
    await shown.submitPassword(EXAMPLE_PASSPHRASE);
    await shown.viewer.getByText('Secure message', { exact: true }).first().waitFor();
    // The page is drawn after the toolbar shows the title.
    await shown.page.waitForTimeout(1500);
    await shown.page.screenshot({ path: join(PACKAGE_ROOT, 'docs', 'screenshots', 'pdf-envelope-opened.png') });
  } finally {
    await browser.close();
    await rm(folder, { recursive: true, force: true });
  }
}

await main();
