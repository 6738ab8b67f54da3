import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../src/gateway/start-gateway.js';
import { hashPassword } from '../../src/smtp/password-hash.js';
import { BodyCipher } from '../../src/store/body-cipher.js';
import { openConfiguredStore } from '../../src/store/configured-store.js';
import { loadOrCreateKeyFile } from '../../src/store/quarantine-key.js';
import { SenderLinks } from '../../src/store/sender-links.js';
import { csrfToken } from '../../src/web/session-cookies.js';
import { startNextHop, type RunningNextHop } from '../actions/support/next-hop-server.js';
import { gatewaySettings, memoryLog } from '../gateway/support/gateway-settings.js';
import { swaks } from '../gateway/support/swaks.js';
import { launchChromium } from '../support/chromium.js';
import { enterCodeIfAsked, TestAuthenticators } from './support/authenticators.js';

const DPO = 'dpo@stmarys-example.sch.uk';
const PASSWORD = 'an invented password for this test';
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const PHONE = { width: 375, height: 740 };

/**
 * Sender self-service end to end, in Chromium, over a running gateway: a message returned by the real SMTP path,
 * the link taken from the notice the next hop received, a reason given, the message at the next hop and the
 * override in the audit log; a second use, a tampered and an expired link refused; a rule with `override: none`
 * offering nothing; a held message's release request reaching the DPO flagged; the DPO revoking an override.
 */
describe('sender self-service over a running gateway', { timeout: 90_000 }, () => {
  let nextHop: RunningNextHop;
  let gateway: RunningGateway;
  let browser: Browser;
  let origin: string;
  let data: string;
  const authenticators = new TestAuthenticators();

  beforeAll(async () => {
    data = join(await mkdtemp(join(tmpdir(), 'hm-override-serve-')), 'data');
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
    await dpoSession?.close();
    await browser?.close();
    await gateway?.stop();
    await nextHop?.close();
  });

  async function send(file: string, from: string, to: string, expected: number): Promise<void> {
    const run = await swaks(gateway.smtp.port, file, { from, to: [to] });
    expect(run.lastCode, run.transcript).toBe(expected);
  }

  /** The link in the latest notice the next hop took for `sender`, on this test's web port (the configured one is 0). */
  async function linkFromNotice(sender: string, seen = 0): Promise<string> {
    let link: string | undefined;
    await expect
      .poll(
        async () => {
          const links: string[] = [];
          for (const message of nextHop.received.filter((received) => received.to.includes(sender))) {
            const text = (await simpleParser(message.raw)).text ?? '';
            const match = /https?:\/\/[^\s/]+(\/sender\/[^\s]+)/.exec(text);
            if (match) links.push(`${origin}${match[1]}`);
          }
          link = links[seen];
          return link !== undefined;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    return link!;
  }

  function deliveredTo(recipient: string): number {
    return nextHop.received.filter((message) => message.to.includes(recipient)).length;
  }

  function auditRows(action: string): { actor: string; reason: string; message_id: string }[] {
    const database = new Database(join(data, 'hallmonitor.sqlite'), { readonly: true });
    try {
      return database.prepare('select actor, reason, message_id from audit_log where action = ? order by seq').all(action) as {
        actor: string;
        reason: string;
        message_id: string;
      }[];
    } finally {
      database.close();
    }
  }

  /** The app forbids every script (CSP), so axe goes in through a context that bypasses it, as in accessibility.test.ts. */
  async function phoneContext(): Promise<BrowserContext> {
    const context = await browser.newContext({ bypassCSP: true, viewport: PHONE });
    await context.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
    return context;
  }

  async function accessibilityProblems(page: Page): Promise<string[]> {
    await page.addScriptTag({ path: AXE_SCRIPT });
    const results = await page.evaluate(async (tags) => {
      const { axe, document } = globalThis as unknown as { axe: { run(context: unknown, options: object): Promise<AxeResults> }; document: unknown };
      return axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    }, WCAG_AA_TAGS);
    const sideways = await page.evaluate(() => {
      const { document, innerWidth } = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
      return document.documentElement.scrollWidth > innerWidth;
    });
    return [...results.violations.map((violation) => `${violation.id}: ${violation.help}`), ...(sideways ? ['the page scrolls sideways on a phone'] : [])];
  }

  /** One session for the whole file: a second sign-in within the same 30 s would reuse a TOTP step, which is refused. */
  let dpoSession: BrowserContext | undefined;
  async function signedInDpo(): Promise<Page> {
    dpoSession ??= await browser.newContext();
    const page = await dpoSession.newPage();
    await page.goto(`${origin}/quarantine`);
    if (new URL(page.url()).pathname !== '/sign-in') return page;
    await page.getByLabel('Email address').fill(DPO);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await enterCodeIfAsked(page, authenticators, DPO);
    await page.waitForURL(/\/quarantine/);
    return page;
  }

  /** A form post as a browser would send it, token included: for uses of a link that the page no longer offers. */
  async function postReason(page: Page, link: string, reason = 'false-alarm') {
    const token = new URL(link).pathname.split('/').at(-1)!;
    return page.request.post(link, { form: { _csrf: csrfToken(token, 'sender-link'), reason, details: '' }, maxRedirects: 0 });
  }

  it('sends a returned message as it was once its sender gives a reason, records it, and refuses the link a second time', async () => {
    const sender = 'derek.mowbray@stmarys-example.sch.uk';
    const recipient = 'karen.doyle@stmarys-example.sch.uk';
    await send('fixtures/corpus/profanity-british.eml', sender, recipient, 550);
    expect(deliveredTo(recipient)).toBe(0);
    const link = await linkFromNotice(sender);
    const context = await phoneContext();
    const page = await context.newPage();
    const opened = await page.goto(link);
    expect(opened?.status()).toBe(200);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Your message was not sent');
    expect(await page.getByRole('heading', { name: 'A version you could send instead' }).count()).toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
    // Opening the link changed nothing: a link scanner may open it before the sender does.
    expect(deliveredTo(recipient)).toBe(0);

    await page.getByLabel("It quotes someone's own words, as a record").check();
    await page.getByLabel('In your own words (needed for another reason)').fill("the engineer's own words, for the complaint file");
    await page.getByRole('button', { name: 'Send it as it is' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Message sent');
    await expect.poll(() => deliveredTo(recipient), { timeout: 20_000 }).toBe(1);
    const delivered = nextHop.received.find((message) => message.to.includes(recipient))!;
    expect(delivered.raw.toString('utf8')).toContain('The boiler engineer');

    const overrides = auditRows('override');
    expect(overrides).toHaveLength(1);
    expect(overrides[0]).toMatchObject({ actor: sender });
    expect(overrides[0]!.reason).toContain("It quotes someone's own words, as a record: the engineer's own words, for the complaint file");
    expect(overrides[0]!.reason).toContain('profanity');

    const again = await page.goto(link);
    expect(again?.status()).toBe(409);
    expect(await page.getByRole('alert').textContent()).toContain('has been used');
    expect((await postReason(page, link)).status()).toBe(409);
    expect(deliveredTo(recipient)).toBe(1);
    await context.close();

    const dpo = await signedInDpo();
    await dpo.goto(`${origin}/overrides`);
    const row = dpo.getByRole('table', { name: 'Overrides' }).locator('tbody tr').filter({ hasText: sender });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain("the engineer's own words");
    await dpo.goto(`${origin}/dashboard`);
    const perRule = dpo.getByRole('table', { name: 'Overrides per rule' });
    expect((await perRule.locator('tbody tr').filter({ hasText: 'profanity' }).locator('td').nth(1).textContent())?.trim()).toBe('1');
    // The DPO was told: an alert in the inbox (no address is configured here, so no email) with the reason's category, not the words.
    await dpo.goto(`${origin}/alerts?role=dpo`);
    const alert = dpo.locator('tbody tr').filter({ hasText: 'sent as it was by its sender' });
    expect(await alert.count()).toBe(1);
    expect(await alert.textContent()).toContain('Reason given: a quotation kept as a record');
    expect(await alert.textContent()).toContain(sender);
    expect(await alert.textContent()).not.toContain("the engineer's own words");
    // And the explorer has the override beside the verdict it followed.
    await dpo.goto(`${origin}/activity?rule=profanity`);
    const lines = await dpo.locator('tbody tr').allTextContents();
    expect(
      lines
        .filter((line) => line.includes(sender))
        .map((line) => (line.includes('sent as it was by its sender') ? 'override' : line.includes('returned to the sender') ? 'return' : 'other')),
    ).toEqual(['override', 'return']);
    await dpo.close();
  });

  it('refuses a tampered link and an expired one, and sends nothing', async () => {
    const sender = 'derek.mowbray@stmarys-example.sch.uk';
    const recipient = 'site.team@stmarys-example.sch.uk';
    await send('fixtures/corpus/profanity-british.eml', sender, recipient, 550);
    const link = await linkFromNotice(sender, 1);
    const token = new URL(link).pathname.split('/').at(-1)!;
    const [version, purpose, messageId, seconds, mac] = token.split('.') as [string, string, string, string, string];
    const page = await browser.newPage();

    const flippedMac = `${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BA' : 'AA'}`;
    for (const tampered of [
      [version, purpose, messageId, seconds, flippedMac],
      [version, purpose, messageId, (parseInt(seconds, 36) + 86_400).toString(36), mac],
      [version, 'h', messageId, seconds, mac],
    ]) {
      const response = await page.goto(`${origin}/sender/${tampered.join('.')}`);
      expect(response?.status(), tampered.join('.')).toBe(404);
      expect(await page.getByRole('alert').textContent()).toContain('not valid');
      expect((await postReason(page, `${origin}/sender/${tampered.join('.')}`)).status()).toBe(404);
    }

    // A link this gateway did sign, for this sender and message, whose time is up.
    const cipher = new BodyCipher({ version: 1, key: await loadOrCreateKeyFile(data) });
    const links = new SenderLinks((keyVersion) => cipher.derive('sender links v1', keyVersion), 1);
    const expired = `${origin}/sender/${links.sign('returned', messageId, sender, new Date(Date.now() - 60_000))}`;
    const response = await page.goto(expired);
    expect(response?.status()).toBe(410);
    expect(await page.getByRole('alert').textContent()).toContain('expired');
    expect((await postReason(page, expired)).status()).toBe(410);

    expect(deliveredTo(recipient)).toBe(0);
    // None of that used the real link up.
    expect((await page.goto(link))?.status()).toBe(200);
    await page.close();
  });

  it('offers no override where the rule says override: none, and refuses a forced one', async () => {
    const sender = 'anjali.mehta@stmarys-example.sch.uk';
    const recipient = 'accounts@oakleaf-supplies-example.co.uk';
    await send('fixtures/corpus/executable-disguised.eml', sender, recipient, 550);
    const link = await linkFromNotice(sender);
    const context = await phoneContext();
    const page = await context.newPage();
    expect((await page.goto(link))?.status()).toBe(200);
    expect(await page.getByRole('button', { name: 'Send it as it is' }).count()).toBe(0);
    expect(await page.getByText('does not let a sender set this aside').count()).toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
    expect((await postReason(page, link)).status()).toBe(403);
    expect(deliveredTo(recipient)).toBe(0);
    expect(auditRows('override').filter((row) => row.actor === sender)).toEqual([]);
    await context.close();
  });

  it("puts a held message's release request in front of the DPO, flagged, without releasing it", async () => {
    const sender = 'michael.osei@stmarys-example.sch.uk';
    const recipient = 'emma.long@gmail.com';
    await send('fixtures/corpus/misdirected-badge.eml', sender, recipient, 250);
    const link = await linkFromNotice(sender);
    const context = await phoneContext();
    const page = await context.newPage();
    expect((await page.goto(link))?.status()).toBe(200);
    expect(await accessibilityProblems(page)).toEqual([]);
    // The browser asks for a choice itself (the radios are required); the server refuses a missing reason too.
    expect((await postReason(page, link, 'other')).status()).toBe(400);
    await page.getByLabel('The recipients are entitled to exactly this information').check();
    await page.getByLabel('In your own words (needed for another reason)').fill("she is the pupil's new foster carer");
    await page.getByRole('button', { name: 'Ask for its release' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Release requested');
    expect((await page.goto(link))?.status()).toBe(409);
    await context.close();
    expect(auditRows('release-request')).toMatchObject([{ actor: sender }]);

    const dpo = await signedInDpo();
    await dpo.goto(`${origin}/quarantine?status=held`);
    const flagged = dpo.locator('tbody tr').filter({ hasText: 'sender asks for release' });
    expect(await flagged.count()).toBe(1);
    await flagged.locator('a').first().click();
    expect(await dpo.getByText("she is the pupil's new foster carer").count()).toBe(1);
    await dpo.close();
    expect(deliveredTo(recipient)).toBe(0);
  });

  it("lets the DPO take a rule's override from a sender: their next returned message offers none", async () => {
    const sender = 'derek.mowbray@stmarys-example.sch.uk';
    const dpo = await signedInDpo();
    await dpo.goto(`${origin}/overrides`);
    const row = dpo.getByRole('table', { name: 'Overrides' }).locator('tbody tr').filter({ hasText: sender }).first();
    await row.getByLabel('Reason').fill('overrides every message; training booked');
    await row.getByRole('button', { name: 'Revoke for this sender' }).click();
    await dpo.waitForURL(/done=revoke/);
    expect(await dpo.getByRole('table', { name: 'Overrides taken away' }).locator('tbody tr').filter({ hasText: sender }).count()).toBe(1);
    await dpo.close();
    expect(auditRows('override-revoke')).toMatchObject([{ actor: DPO }]);

    const recipient = 'office.manager@stmarys-example.sch.uk';
    await send('fixtures/corpus/profanity-british.eml', sender, recipient, 550);
    const link = await linkFromNotice(sender, 2);
    const page = await browser.newPage();
    expect((await page.goto(link))?.status()).toBe(200);
    expect(await page.getByRole('button', { name: 'Send it as it is' }).count()).toBe(0);
    expect(await page.getByText('withdrawn your option').count()).toBe(1);
    expect((await postReason(page, link)).status()).toBe(403);
    expect(deliveredTo(recipient)).toBe(0);
    await page.close();
  });
});
