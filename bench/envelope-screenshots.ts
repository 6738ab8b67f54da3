/**
 * Makes docs/screenshots/envelope-passphrase.png and envelope-opened.png: a password envelope for an
 * invented message, opened from disk in Debian's headless Chromium. Run after `npm run build`:
 * `node dist/bench/envelope-screenshots.js`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { chromium } from 'playwright-core';
import { renderEnvelopePage } from '../src/crypto/envelope-html.js';
import { encryptWithPassphrase } from '../src/crypto/password-envelope.js';
import { PACKAGE_ROOT } from '../src/package-root.js';

const PASSPHRASE = 'K7QX-MHTA-9CEW-YRJ4-PN3D-VAFU';

async function main(): Promise<void> {
  const original = await new MailComposer({
    from: '"Ms Example Teacher" <teacher@school.example.sch.uk>',
    to: '"Alex Example" <parent@home.example.org>',
    subject: 'Notes from Tuesday\'s review meeting',
    text: 'Dear Alex,\n\nThank you for coming in on Tuesday. As agreed, I attach the notes from the review meeting and the updated support plan.\n\nPlease ring the school office if anything in them needs changing.\n\nKind regards,\nMs Example Teacher',
    attachments: [
      { filename: 'review-notes.pdf', content: Buffer.from('%PDF-1.4 invented example'), contentType: 'application/pdf' },
      { filename: 'support-plan.docx', content: Buffer.from('invented example'), contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
    ],
    date: new Date('2026-03-03T16:20:00Z'),
  })
    .compile()
    .build();
  const folder = await mkdtemp(join(tmpdir(), 'hm-screenshots-'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const path = join(folder, 'secure-message.html');
    const payload = await encryptWithPassphrase(original, PASSPHRASE, { now: new Date() });
    await writeFile(path, renderEnvelopePage(payload, { sender: 'Ms Example Teacher (teacher@school.example.sch.uk)' }));
    const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
    await page.goto(pathToFileURL(path).href);
    await page.getByLabel(/Passphrase/).fill(PASSPHRASE);
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
