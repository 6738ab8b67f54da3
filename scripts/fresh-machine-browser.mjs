// The browser part of scripts/fresh-machine-check.sh: in Debian's headless Chromium, a new DPO signs in to the
// review app at the README's address (setting up an authenticator app at the first sign-in), finds the held message in the quarantine list, opens it and sees its
// findings. playwright-core comes from the fresh clone's node_modules (installed by its `npm ci`), never from
// the developer's checkout. Plain JavaScript, so it runs without a build.
//
// Usage: node fresh-machine-browser.mjs CLONE SIGN_IN_URL EMAIL CATEGORY SCREENSHOT_DIR
// (the password comes in HM_FRESH_PASSWORD, so it is never in a process list).
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [clone, signInUrl, email, category, screenshots] = process.argv.slice(2);
const password = process.env.HM_FRESH_PASSWORD;
if (!clone || !signInUrl || !email || !category || !screenshots || !password) {
  console.error('usage: HM_FRESH_PASSWORD=… node fresh-machine-browser.mjs CLONE SIGN_IN_URL EMAIL CATEGORY SCREENSHOT_DIR');
  process.exit(2);
}

const { chromium } = createRequire(join(clone, 'package.json'))('playwright-core');
const CHROMIUM = process.env.HM_CHROMIUM ?? '/usr/bin/chromium';
const STEP_TIMEOUT_MS = 15_000;

/** Fails the check with what was expected, never with the page's content (it holds a message). */
function expect(condition, what) {
  if (!condition) throw new Error(`expected ${what}`);
}

async function signIn(page) {
  await page.goto(signInUrl);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL(/\/(quarantine|sign-in\/enrol)(\?|$)/, { timeout: STEP_TIMEOUT_MS });
  if (new URL(page.url()).pathname === '/sign-in/enrol') await enrolAuthenticator(page);
}

/**
 * A DPO's first sign-in sets up an authenticator app, as the README says: the setup key read off the page (as a
 * person types it into the app), the app's code computed from it with otpauth from the clone, then the recovery
 * codes page and on to the quarantine.
 */
async function enrolAuthenticator(page) {
  const { Secret, TOTP } = createRequire(join(clone, 'package.json'))('otpauth');
  const key = (await page.locator('#setup-key').textContent())?.replace(/\s+/g, '') ?? '';
  expect(key.length > 0, 'a setup key on the enrolment page');
  const app = new TOTP({ secret: Secret.fromBase32(key), digits: 6, period: 30, algorithm: 'SHA1' });
  await page.getByLabel('Code from the app').fill(app.generate());
  await page.getByRole('button', { name: 'Finish setting up' }).click();
  await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.getByRole('link', { name: 'Continue to the quarantine' }).click();
  await page.waitForURL(/\/quarantine(\?|$)/, { timeout: STEP_TIMEOUT_MS });
}

/** The list: one held row with the category, whose link (its received time) opens the message. */
async function openHeldMessage(page) {
  await page.getByRole('link', { name: 'Quarantine', exact: true }).click();
  await page.waitForURL(/\/quarantine(\?|$)/, { timeout: STEP_TIMEOUT_MS });
  const rows = page.getByRole('row').filter({ hasText: category }).filter({ hasText: 'held' });
  expect((await rows.count()) === 1, `one held message with ${category} in the quarantine list, found ${await rows.count()}`);
  await page.screenshot({ path: join(screenshots, 'quarantine-list.png'), fullPage: true });
  await rows.first().getByRole('link').click();
  await page.waitForURL(/\/quarantine\/[^/?]+$/, { timeout: STEP_TIMEOUT_MS });
}

/** The message page: its Findings table names the category, and the text has the finding marked. */
async function checkFindings(page) {
  await page.getByRole('heading', { name: 'Findings' }).waitFor({ timeout: STEP_TIMEOUT_MS });
  const findings = page.getByRole('row').filter({ hasText: category });
  expect((await findings.count()) >= 1, `a ${category} finding on the message page`);
  expect((await page.locator('pre.body mark').count()) >= 1, 'the finding marked in the message text');
  await page.screenshot({ path: join(screenshots, 'held-message.png'), fullPage: true });
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-crash-reporter', '--disable-breakpad'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  await signIn(page);
  await openHeldMessage(page);
  await checkFindings(page);
  console.log(`signed in, found the held message in the list, opened it and saw its ${category} finding`);
} catch (error) {
  console.error(`browser: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
