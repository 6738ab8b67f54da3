import { pathToFileURL } from 'node:url';
import type { Browser, Frame, Page } from 'playwright-core';

/** Chromium's built-in PDF viewer (a component extension) showing one file, as a person drives it. */
export interface PdfViewer {
  readonly page: Page;
  /** The viewer's own frame: its toolbar and its password dialog, reached through their shadow roots. */
  readonly viewer: Frame;
  /** Types a password into the viewer's "Password required" dialog and submits it. */
  submitPassword(password: string): Promise<void>;
  /** Whether the viewer is still asking for the password. */
  asksForPassword(): Promise<boolean>;
}

const VIEWER_ORIGIN = 'chrome-extension://';

/**
 * Opens a PDF file in a new page of `browser` (Debian's Chromium, headless) and waits for the PDF viewer's
 * frame. Headless Chromium loads the same viewer as the desktop browser, password dialog included.
 */
export async function openInPdfViewer(browser: Browser, path: string, viewport = { width: 900, height: 700 }): Promise<PdfViewer> {
  const page = await browser.newPage({ viewport });
  await page.goto(pathToFileURL(path).href);
  const viewer = await viewerFrame(page);
  const dialog = viewer.locator('viewer-password-dialog');
  return {
    page,
    viewer,
    async submitPassword(password) {
      const input = dialog.locator('input');
      await input.fill(password);
      await input.press('Enter');
    },
    async asksForPassword() {
      return (await dialog.count()) > 0 && (await dialog.locator('input').isVisible());
    },
  };
}

async function viewerFrame(page: Page): Promise<Frame> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const frame = page.frames().find((candidate) => candidate.url().startsWith(VIEWER_ORIGIN));
    if (frame) return frame;
    if (Date.now() > deadline) throw new Error('Chromium did not open its PDF viewer');
    await page.waitForTimeout(100);
  }
}
