/**
 * Makes docs/screenshots/pdf-envelope-password.png and pdf-envelope-opened.png: the PDF envelope of an
 * invented message in Chromium's own PDF viewer (Debian's Chromium, headless), first asking for the
 * password, then opened with it. Run after `npm run build`: `node dist/bench/pdf-envelope-screenshots.js`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { chromium } from 'playwright-core';
import { buildPdfEnvelope } from '../src/crypto/pdf-envelope.js';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { openInPdfViewer } from './chromium-pdf-viewer.js';

const PASSPHRASE = 'K7QX-MHTA-9CEW-YRJ4-PN3D-VAFU';

async function main(): Promise<void> {
  const original = await new MailComposer({
    from: '"Ms Example Teacher" <teacher@school.example.sch.uk>',
    to: '"Alex Example" <parent@home.example.org>',
    subject: "Notes from Tuesday's review meeting",
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
    const path = join(folder, 'secure-message.pdf');
    await writeFile(path, await buildPdfEnvelope(original, { passphrase: PASSPHRASE, now: new Date() }));
    const shown = await openInPdfViewer(browser, path, { width: 900, height: 640 });
    await shown.viewer.locator('viewer-password-dialog input').waitFor();
    await shown.page.screenshot({ path: join(PACKAGE_ROOT, 'docs', 'screenshots', 'pdf-envelope-password.png') });
    await shown.submitPassword(PASSPHRASE);
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
