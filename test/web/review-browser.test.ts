import type { AddressInfo } from 'node:net';
import type { Browser, Page, Request } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inventedRecord } from '../store/support/invented-records.js';
import { hostileRecord } from './support/held-messages.js';
import { enterCodeIfAsked } from './support/authenticators.js';
import { startTrapProxy, type TrapProxy } from './support/trap-proxy.js';
import { ACCOUNTS, createWebSite, PASSWORD, type WebSite } from './support/web-site.js';

let browser: Browser;
let web: WebSite;
let origin: string;
let trap: TrapProxy;

/** Debian's Chromium, headless, with everything that phones home off, and every non-loopback load sent to the trap. */
beforeAll(async () => {
  trap = await startTrapProxy();
  browser = await launchChromium({
    proxy: { server: trap.url, bypass: '127.0.0.1' },
  });
});
afterAll(async () => {
  await browser.close();
  await trap.close();
});
beforeEach(async () => {
  web = await createWebSite();
  await web.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(web.app.server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await web.dispose();
});

/** A fresh browser context, signed in through the form with the keyboard-reachable labels. */
async function signIn(email: string): Promise<{ page: Page; requests: Request[]; dialogs: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests: Request[] = [];
  const dialogs: string[] = [];
  context.on('request', (request) => requests.push(request));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${origin}/quarantine`);
  expect(new URL(page.url()).pathname).toBe('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  // Keyboard: Enter in the password field submits the form.
  await page.getByLabel('Password').press('Enter');
  await enterCodeIfAsked(page, web.authenticators, email);
  await page.waitForURL(`${origin}/quarantine`);
  return { page, requests, dialogs };
}

describe('the review app in Chromium', () => {
  it('signs in, lists, opens a held message and releases it: the release job is queued', async () => {
    await web.store.quarantine.hold(inventedRecord({ id: 'held-browser-1' }));
    const { page, dialogs } = await signIn(ACCOUNTS.dpo);
    await expect(page.getByRole('heading', { name: '1 message' }).count()).resolves.toBe(1);
    await page.getByRole('link', { name: '2026-11-20 10:00' }).click();
    await page.waitForURL(`${origin}/quarantine/held-browser-1`);
    await page.getByLabel('Reason to release (recorded in the audit log)').fill('checked with the class teacher');
    await page.getByRole('button', { name: 'Release', exact: true }).click();
    await page.waitForURL(`${origin}/quarantine/held-browser-1?done=release`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Release queued');
    expect((await web.releaseJob('held-browser-1'))?.data).toEqual({ messageId: 'held-browser-1', encrypt: false, actor: ACCOUNTS.dpo });
    expect(dialogs).toEqual([]);
    await page.context().close();
  });

  it('rejects a held message from its page, and signs out', async () => {
    await web.store.quarantine.hold(inventedRecord({ id: 'held-browser-2' }));
    const { page } = await signIn(ACCOUNTS.admin);
    await page.goto(`${origin}/quarantine/held-browser-2`);
    await page.getByLabel('Reason to return to sender').fill('use initials, then send again');
    // Keyboard only: Tab from the reason reaches its button, and Enter presses it.
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Return to sender');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/quarantine/held-browser-2?done=reject`);
    expect((await web.store.quarantine.open('held-browser-2')).status).toBe('rejected');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${origin}/sign-in`);
    await page.goto(`${origin}/quarantine/held-browser-2`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.context().close();
  });

  it('opens a hostile HTML email and runs nothing, loads nothing, and goes nowhere', async () => {
    await web.store.quarantine.hold(hostileRecord('hostile-browser'));
    const { page, requests, dialogs } = await signIn(ACCOUNTS.dpo);
    const before = requests.length;
    const servedBefore = web.served.length;
    await page.goto(`${origin}/quarantine/hostile-browser`);
    await page.waitForLoadState('networkidle');

    const frame = page.frames().find((each) => each !== page.mainFrame());
    expect(frame).toBeDefined();
    // The body is there to read: the test is not passing on an empty frame.
    await expect(frame!.locator('p').first().textContent()).resolves.toContain('Report for');
    // Clicking the links and submitting the form do nothing either.
    await frame!.locator('#js-link').click();
    await frame!.locator('#submit').click();
    await frame!.locator('#web-link').click();
    await page.waitForLoadState('networkidle');

    expect(dialogs).toEqual([]);
    // Chromium's own chatter (autofill, updates) reaches the trap too; nothing the message names may.
    expect(trap.hits.filter((hit) => hit.includes('hostile.example'))).toEqual([]);
    // What reached the app: the page (and its stylesheet and the favicon, unless cached), nothing the frame asked for.
    expect(web.served.slice(servedBefore).filter((url) => url !== '/assets/app.css' && url !== '/favicon.ico')).toEqual(['/quarantine/hostile-browser']);
    // Chromium may start a load (its preload scanner does) only to block it itself: every other request it reports was stopped by CSP.
    const own = (request: Request) => ['/assets/app.css', '/quarantine/hostile-browser', '/favicon.ico'].some((path) => request.url() === `${origin}${path}`);
    for (const request of requests.slice(before).filter((each) => !own(each))) expect([request.url(), request.failure()?.errorText]).toEqual([request.url(), 'csp']);
    expect(page.url()).toBe(`${origin}/quarantine/hostile-browser`);
    await page.context().close();
  });
});
