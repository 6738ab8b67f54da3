import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInPdfViewer } from '../../bench/chromium-pdf-viewer.js';
import { buildPdfEnvelope } from '../../src/crypto/pdf-envelope.js';
import { launchChromium } from '../support/chromium.js';
import { composeTestMessage } from './support/messages.js';

const PASSPHRASE = 'K7QX-MHTA-9CEW-YRJ4-PN3D-VAFU';

describe("the PDF envelope in Chromium's own PDF viewer", () => {
  let browser: Browser;
  let folder: string;
  let path: string;

  beforeAll(async () => {
    browser = await launchChromium();
    folder = await mkdtemp(join(tmpdir(), 'hm-pdf-browser-'));
    path = join(folder, 'secure-message.pdf');
    await writeFile(path, await buildPdfEnvelope(await composeTestMessage(), { passphrase: PASSPHRASE, now: new Date() }));
  });

  afterAll(async () => {
    await browser?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('asks for the password, refuses a wrong one, and opens with the passphrase', async () => {
    const shown = await openInPdfViewer(browser, path);
    await expect.poll(() => shown.asksForPassword(), { timeout: 15_000 }).toBe(true);
    // The title is in the encrypted document information: it shows only once the file is decrypted.
    expect(await shown.viewer.getByText('Secure message', { exact: true }).count()).toBe(0);
    await shown.submitPassword('K7QX-MHTA-9CEW-YRJ4-PN3D-VAFV');
    await shown.page.waitForTimeout(1000);
    expect(await shown.asksForPassword()).toBe(true);
    await shown.submitPassword(PASSPHRASE);
    await expect.poll(() => shown.asksForPassword(), { timeout: 15_000 }).toBe(false);
    await expect.poll(() => shown.viewer.getByText('Secure message', { exact: true }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
  }, 60_000);
});
