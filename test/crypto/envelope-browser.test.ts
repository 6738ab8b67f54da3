import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { buildEnvelopeEmail } from '../../src/crypto/envelope-email.js';
import { encryptWithPassphrase, type PassphraseKdf } from '../../src/crypto/password-envelope.js';
import { launchChromium } from '../support/chromium.js';
import { composeTestMessage, SECRET, type TestMessageOptions } from './support/messages.js';

const PASSPHRASE = 'K7QX-MHTA-9CEW-YRJ4-PN3D-VAFU';
const WRONG_PASSPHRASE_MESSAGE = 'That passphrase did not open this message; check it with the sender.';

let browser: Browser;
let folder: string;

beforeAll(async () => {
  browser = await launchChromium();
  folder = await mkdtemp(join(tmpdir(), 'hm-envelope-'));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rm(folder, { recursive: true, force: true });
});

interface OpenedEnvelope {
  readonly page: Page;
  readonly requests: string[];
  readonly problems: string[];
  readonly url: string;
}

async function openEnvelope(name: string, message: TestMessageOptions, kdf: PassphraseKdf): Promise<OpenedEnvelope> {
  const original = await composeTestMessage(message);
  const armoredPayload = await encryptWithPassphrase(original, PASSPHRASE, { kdf, now: new Date() });
  // The page exactly as the recipient's mail program saves it: out of the email, transfer encoding undone.
  const email = await simpleParser(buildEnvelopeEmail(original, { armoredPayload, passphraseSource: 'generated' }));
  const path = join(folder, `${name}.html`);
  await writeFile(path, email.attachments.find((attachment) => attachment.filename === 'secure-message.html')!.content);
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (entry) => {
    if (entry.type() === 'error' || entry.type() === 'warning') problems.push(entry.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const url = pathToFileURL(path).href;
  await page.goto(url);
  return { page, requests, problems, url };
}

async function submit(page: Page, passphrase: string): Promise<void> {
  await page.getByLabel(/Passphrase/).fill(passphrase);
  await page.getByRole('button', { name: 'Open the message' }).click();
}

describe('the HTML envelope in Chromium, from disk', () => {
  it('refuses a wrong passphrase clearly, then opens with the right one (Argon2 payload)', async () => {
    const { page, requests, problems, url } = await openEnvelope('argon2', {}, 'argon2');
    await expect.poll(() => page.textContent('h1')).toBe('Secure message');
    await submit(page, 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF');
    await expect.poll(() => page.textContent('#status'), { timeout: 20_000 }).toBe(WRONG_PASSPHRASE_MESSAGE);
    expect(await page.isVisible('#message')).toBe(false);

    // Typed as people read it out: lower case, spaces instead of dashes.
    await submit(page, PASSPHRASE.toLowerCase().replaceAll('-', ' '));
    await page.waitForSelector('#message', { state: 'visible', timeout: 20_000 });
    expect(await page.textContent('#body')).toContain(SECRET.bodyText);
    expect(await page.textContent('#field-subject')).toBe(`[secure] ${SECRET.subjectWords}: ${SECRET.pupil}`);
    expect(await page.textContent('#field-from')).toContain('teacher@school.example.sch.uk');
    expect(await page.locator('#attachments a').allTextContents()).toEqual([SECRET.attachmentName]);

    const download = page.waitForEvent('download');
    await page.locator('#attachments a').first().click();
    const file = await (await download).path();
    expect(await readFile(file, 'utf8')).toBe(SECRET.attachmentText);

    expect(requests.filter((request) => !request.startsWith('blob:'))).toEqual([url]);
    expect(problems).toEqual([]);
    await page.screenshot({ path: join(folder, 'opened.png') });
  }, 60_000);

  it('opens the compatibility payload too', async () => {
    const { page, problems } = await openEnvelope('iterated', {}, 'iterated');
    await submit(page, PASSPHRASE);
    await page.waitForSelector('#message', { state: 'visible', timeout: 20_000 });
    expect(await page.textContent('#body')).toContain(SECRET.bodyText);
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows an HTML-only message as text: nothing in it runs or loads', async () => {
    const html = `<p>${SECRET.bodyText}</p><script>document.title = 'ran'</script><img src="https://tracker.example.org/pixel.gif"><p>Second paragraph</p>`;
    const message = { html, text: null, attachments: [{ filename: 'Übersicht März.pdf', content: Buffer.from('%PDF-1.4 invented'), contentType: 'application/pdf' }] };
    const { page, requests, url } = await openEnvelope('html-only', message, 'iterated');
    await submit(page, PASSPHRASE);
    await page.waitForSelector('#message', { state: 'visible', timeout: 20_000 });
    const body = await page.textContent('#body');
    expect(body).toContain(SECRET.bodyText);
    expect(body).toContain('Second paragraph');
    expect(await page.title()).toBe('Secure message');
    expect(await page.locator('#attachments a').allTextContents()).toEqual(['Übersicht März.pdf']);
    expect(await page.locator('img').count()).toBe(0);
    expect(requests.filter((request) => !request.startsWith('blob:'))).toEqual([url]);
  }, 60_000);

  it('opens a message with a 25 MB attachment and hands the attachment back intact', async () => {
    const attachment = randomBytes(25 * 1024 * 1024);
    const started = performance.now();
    const { page } = await openEnvelope('large', { attachments: [{ filename: 'scan.pdf', content: attachment, contentType: 'application/pdf' }] }, 'argon2');
    const loaded = performance.now();
    await submit(page, PASSPHRASE);
    await page.waitForSelector('#message', { state: 'visible', timeout: 60_000 });
    console.info(`25 MB attachment envelope in Chromium: built and loaded in ${(loaded - started).toFixed(0)} ms, opened in ${(performance.now() - loaded).toFixed(0)} ms`);
    expect(await page.locator('#attachments li').allTextContents()).toEqual(['scan.pdf (25.0 MB)']);
    const download = page.waitForEvent('download');
    await page.locator('#attachments a').first().click();
    const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    expect(digest(await readFile(await (await download).path()))).toBe(digest(attachment));
  }, 120_000);
});
