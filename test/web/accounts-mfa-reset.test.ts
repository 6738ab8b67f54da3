import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { enterCodeIfAsked } from './support/authenticators.js';
import { ACCOUNTS, createWebSite, PASSWORD, type WebSite } from './support/web-site.js';

// Every sign-in runs scrypt at N=2^17 (a third of a second alone, seconds on a busy machine), and this test signs three in.
vi.setConfig({ testTimeout: 120_000 });

const REASON = 'Lost phone, reported to the office in person';

let browser: Browser;
let web: WebSite | undefined;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
  await web?.dispose();
  web = undefined;
});

/** A browser of its own for one person, signed in with the password and, when asked, the authenticator's code. */
async function signedIn(origin: string, site: WebSite, email: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${origin}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await enterCodeIfAsked(page, site.authenticators, email);
  await page.waitForURL(`${origin}/quarantine`);
  return page;
}

describe('the admin resets an account’s MFA from the accounts page, in Chromium', () => {
  it('removes the authenticator, ends the account’s open session at once, audits who and why, and the next sign-in enrols anew', async () => {
    web = await createWebSite();
    await web.app.listen({ host: '127.0.0.1', port: 0 });
    const origin = `http://127.0.0.1:${(web.app.server.address() as AddressInfo).port}`;
    const dpo = await signedIn(origin, web, ACCOUNTS.dpo);
    const admin = await signedIn(origin, web, ACCOUNTS.admin);

    await admin.goto(`${origin}/accounts`);
    const row = admin.getByRole('row', { name: new RegExp(ACCOUNTS.dpo) });
    expect(await row.getByRole('cell').last().textContent()).toBe('Set up');
    await admin.getByRole('combobox', { name: 'Account', exact: true }).selectOption(ACCOUNTS.dpo);
    await admin.getByLabel('Reason (recorded in the audit log)').fill(REASON);
    await admin.getByRole('button', { name: 'Reset MFA' }).click();
    await admin.waitForURL(`${origin}/accounts?done=reset-mfa`);
    expect(await admin.getByRole('status').textContent()).toMatch(/authenticator and recovery codes are removed and its sessions ended/);
    expect(await row.getByRole('cell').last().textContent()).toBe('None');

    // The DPO's open session ended with the reset: their next page is the sign-in.
    await dpo.goto(`${origin}/quarantine`);
    expect(new URL(dpo.url()).pathname).toBe('/sign-in');
    expect(await web.site.exec(`SELECT actor, action, reason FROM audit_log WHERE action = 'account-mfa-reset'`)).toEqual([
      { actor: ACCOUNTS.admin, action: 'account-mfa-reset', reason: `account ${ACCOUNTS.dpo}: MFA reset, sessions ended. Reason: ${REASON}` },
    ]);
    expect(await web.site.exec(`SELECT count(*) AS codes FROM recovery_codes WHERE email = '${ACCOUNTS.dpo}'`)).toEqual([{ codes: 0 }]);

    // With the password alone the next sign-in goes to setting up an authenticator, never past it.
    await dpo.getByLabel('Email address').fill(ACCOUNTS.dpo);
    await dpo.getByLabel('Password').fill(PASSWORD);
    await dpo.getByLabel('Password').press('Enter');
    await dpo.waitForURL(`${origin}/sign-in/enrol`);
    await dpo.goto(`${origin}/quarantine`);
    expect(new URL(dpo.url()).pathname).toBe('/sign-in/enrol');
  });
});
