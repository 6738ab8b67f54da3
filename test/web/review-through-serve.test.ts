import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../src/gateway/start-gateway.js';
import { hashPassword } from '../../src/smtp/password-hash.js';
import { openConfiguredStore } from '../../src/store/configured-store.js';
import { startNextHop, type RunningNextHop } from '../actions/support/next-hop-server.js';
import { gatewaySettings, memoryLog } from '../gateway/support/gateway-settings.js';
import { swaks } from '../gateway/support/swaks.js';
import { enterCodeIfAsked, TestAuthenticators } from './support/authenticators.js';

const DPO = 'dpo@stmarys-example.sch.uk';
const PASSWORD = 'an invented password for this test';
const SENDER = 'marcus.lindqvist@stmarys-example.sch.uk';

/** End to end: mail held by `serve`, counted on the dashboard and decided in the review app in Chromium, and the outcome at the next hop. */
describe('the review app over a running gateway', () => {
  let nextHop: RunningNextHop;
  let gateway: RunningGateway;
  let browser: Browser;
  let origin: string;
  const authenticators = new TestAuthenticators();

  beforeAll(async () => {
    const data = join(await mkdtemp(join(tmpdir(), 'hm-review-serve-')), 'data');
    const store = await openConfiguredStore({ data });
    await store.users.add({ email: DPO, role: 'dpo', passwordHash: await hashPassword(PASSWORD) });
    await authenticators.enrol(store, DPO);
    await store.close();
    nextHop = await startNextHop();
    gateway = await startGateway(gatewaySettings(data, nextHop.url), memoryLog().logger);
    origin = `http://127.0.0.1:${gateway.web.port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await nextHop?.close();
  });

  async function holdSlur(to: string): Promise<void> {
    const run = await swaks(gateway.smtp.port, 'fixtures/corpus/slur-disablist.eml', { from: SENDER, to: [to] });
    expect(run.lastCode, run.transcript).toBe(250);
  }

  async function openFirstHeld() {
    const page = await browser.newPage();
    await page.goto(`${origin}/quarantine?status=held`);
    if (new URL(page.url()).pathname === '/sign-in') {
      await page.getByLabel('Email address').fill(DPO);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByLabel('Password').press('Enter');
      await enterCodeIfAsked(page, authenticators, DPO);
      await page.waitForURL(/\/quarantine/);
      await page.goto(`${origin}/quarantine?status=held`);
    }
    await page.locator('tbody a').first().click();
    await page.waitForURL(/\/quarantine\/[0-9a-f]{32}$/);
    return page;
  }

  /** The dashboard as the DPO sees it in the browser: held messages under a day old, and quarantine verdicts in the period. */
  async function dashboardCounts(page: Awaited<ReturnType<typeof openFirstHeld>>) {
    await page.goto(`${origin}/dashboard`);
    const underADay = Number(await page.locator('dt:text-is("Under a day") + dd').textContent());
    const chart = page.getByRole('table', { name: 'Verdicts per week, by action' });
    const headings = (await chart.locator('thead th').allTextContents()).map((heading) => heading.trim().toLowerCase());
    const column = headings.indexOf('quarantine');
    expect(column).toBeGreaterThan(0);
    let quarantined = 0;
    for (const row of await chart.locator('tbody tr').all()) quarantined += Number(await row.locator(':scope > *').nth(column).locator('.count').textContent());
    return { underADay, quarantined };
  }

  it('the dashboard shows the new counts once the gateway holds another message', async () => {
    await holdSlur('first.count@stmarys-example.sch.uk');
    const page = await openFirstHeld();
    const before = await dashboardCounts(page);
    expect(before.underADay).toBeGreaterThanOrEqual(1);
    expect(before.quarantined).toBeGreaterThanOrEqual(1);
    await holdSlur('second.count@stmarys-example.sch.uk');
    expect(await dashboardCounts(page)).toEqual({ underADay: before.underADay + 1, quarantined: before.quarantined + 1 });
    await page.close();
  });

  it('a held message released in the app arrives at the next hop', async () => {
    await holdSlur('zainab.qureshi@stmarys-example.sch.uk');
    const page = await openFirstHeld();
    await page.getByLabel('Reason to release (recorded in the audit log)').fill('spoken to the sender; colleague asked for it');
    await page.getByRole('button', { name: 'Release', exact: true }).click();
    await expect.poll(() => nextHop.received.filter((message) => message.to.includes('zainab.qureshi@stmarys-example.sch.uk')).length, { timeout: 20_000 }).toBe(1);
    await page.close();
  });

  it('a message returned to its sender in the app never leaves, and the sender gets the reason', async () => {
    await holdSlur('someone.else@stmarys-example.sch.uk');
    const page = await openFirstHeld();
    await page.getByLabel('Reason to return to sender').fill('Please rephrase this kindly before sending it again.');
    await page.getByRole('button', { name: 'Return to sender' }).click();
    await expect
      .poll(
        async () => {
          for (const message of nextHop.received) if ((await simpleParser(message.raw)).text?.includes('Please rephrase this kindly')) return message.to;
          return undefined;
        },
        { timeout: 20_000 },
      )
      .toEqual([SENDER]);
    expect(nextHop.received.some((message) => message.to.includes('someone.else@stmarys-example.sch.uk'))).toBe(false);
    await page.close();
  });
});
