import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/policy/verdict.js';
import { inboxEntriesFor } from '../../src/queue/alerts.js';
import type { UserRole } from '../../src/store/user-directory.js';
import { HEALTH_FINDING, inventedRecord, PUPIL_FINDING, PUPIL_NAME, verdictEntry } from '../store/support/invented-records.js';
import { recentTerms } from '../../src/web/school-terms.js';
import { ACCOUNTS, createWebSite, PASSWORD, TEST_HASHING, type WebSite } from './support/web-site.js';
import { enterCodeIfAsked } from './support/authenticators.js';

/**
 * The review app meets WCAG 2.1 AA and fits a phone and a laptop, checked in Chromium on every page
 * each role can reach: axe-core's WCAG 2.0/2.1 A and AA rules, no sideways scrolling, tables that scroll in
 * their own box, a bar that wraps, targets of at least 24 px (WCAG 2.2's 2.5.8), and the keyboard path from
 * sign-in to a decision with a visible focus at every stop.
 */

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const VIEWPORTS = { phone: { width: 375, height: 740 }, laptop: { width: 1280, height: 800 } } as const;
/** WCAG 1.4.10 Reflow's own width: 320 CSS px, a 1280 px screen zoomed to 400%. Checked for layout only. */
const REFLOW = { width: 320, height: 640 } as const;
/** WCAG 2.2 success criterion 2.5.8, Target Size (Minimum). */
const MIN_TARGET_PX = 24;
const HTML_MESSAGE_ID = 'a11y-html-body';
/** axe takes about a second a page, and a role visits up to ten pages at three widths on a shared, busy machine. */
const AXE_TEST_TIMEOUT_MS = 180_000;

let browser: Browser;
let web: WebSite;
let origin: string;

beforeAll(async () => {
  browser = await launchChromium();
  web = await createWebSite();
  await seed(web);
  await web.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(web.app.server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await web?.dispose();
});

/** A held message that alerts every role (the DSL and the DPO at once, the Business Manager in the digest). */
const HELD_VERDICT: Verdict = {
  action: 'quarantine',
  findings: [PUPIL_FINDING, HEALTH_FINDING],
  rules: [
    { id: 'health-external', action: 'quarantine', description: 'Health details leaving the school', clause: 'AUP 4.2', reason: 'held', findings: [PUPIL_FINDING, HEALTH_FINDING] },
  ],
  notifications: [
    { to: 'dsl', level: 'immediate', ruleId: 'health-external' },
    { to: 'dpo', level: 'immediate', ruleId: 'health-external' },
    { to: 'business-manager', level: 'digest', ruleId: 'health-external' },
  ],
};
const RETURNED_VERDICT: Verdict = {
  action: 'return',
  findings: [],
  rules: [{ id: 'slur', action: 'return', description: 'Discriminatory or abusive language', clause: 'AUP 4.3', reason: 'returned', findings: [] }],
  notifications: [{ to: 'business-manager', level: 'immediate', ruleId: 'slur' }],
};

/**
 * Invented held messages (one with an HTML body and an attachment, one waiting over a week), weeks of verdicts,
 * and alerts in every role's inbox, one of them acknowledged.
 */
async function seed(site: WebSite): Promise<void> {
  const raw = await new MailComposer({
    from: 'Teacher One <teacher.one@stmarys-example.sch.uk>',
    to: 'parent@example.org',
    subject: 'Trip letter',
    text: `Report for ${PUPIL_NAME}: asthma noted.`,
    html: `<p>Report for <b>${PUPIL_NAME}</b>: asthma noted.</p><table><tr><th>Name</th><td>${PUPIL_NAME}</td></tr></table>`,
    attachments: [{ filename: 'class-list.csv', content: `Name,Year\n${PUPIL_NAME},5\n`, contentType: 'text/csv' }],
  })
    .compile()
    .build();
  const inBody = { ...PUPIL_FINDING, location: { part: 'body' as const }, span: { start: 11, end: 11 + PUPIL_NAME.length } };
  await site.store.quarantine.hold(inventedRecord({ id: HTML_MESSAGE_ID, raw, subject: 'Trip letter', findings: [inBody, HEALTH_FINDING] }));
  await site.store.quarantine.hold(inventedRecord({ id: 'a11y-plain', receivedAt: new Date(Date.now() - 10 * 86_400_000) }));
  const actions = ['deliver', 'encrypt', 'return', 'quarantine'] as const;
  for (let day = 0; day < 30; day += 1) {
    const action = actions[day % actions.length]!;
    await site.store.audit.append(verdictEntry({ messageId: `a11y-${day}`, action, at: new Date(Date.now() - day * 86_400_000), replyCode: action === 'return' ? 550 : 250 }));
  }
  const facts = (messageId: string) => ({
    school: { id: 'st-marys-example' },
    messageId,
    receivedAt: new Date('2026-11-20T10:00:00.000Z'),
    sender: 'teacher.one@stmarys-example.sch.uk',
    recipients: ['someone@webmail.example'],
    reviewBaseUrl: 'http://127.0.0.1',
  });
  const nobody = { 'business-manager': [], dpo: [], dsl: [] };
  await site.store.alertInbox.record(inboxEntriesFor(HELD_VERDICT, facts(HTML_MESSAGE_ID), { ...nobody, dpo: [ACCOUNTS.dpo] }));
  const returned = inboxEntriesFor(RETURNED_VERDICT, facts('a11y-returned'), nobody);
  await site.store.alertInbox.record(returned);
  await site.store.alertInbox.acknowledge(
    returned.map((entry) => entry.id),
    { actor: ACCOUNTS['business-manager'], note: 'spoken to the sender' },
  );
  // A false positive on the newest verdict, so the explorer flags one and the tuning report has rows.
  const [newest] = await site.store.activity.list({ limit: 1 });
  await site.store.falsePositives.mark({
    verdict: newest!,
    category: 'sensitive/health',
    term: 'asthma',
    ruleIds: newest!.ruleIds,
    reason: 'a staff first-aid course',
    actor: ACCOUNTS.dpo,
    at: new Date(),
  });
}

/** The school term the clock is in, for the dashboard's term view. */
const THIS_TERM = recentTerms(new Date(), 1)[0]!.id;

/** One page the test visits: how to reach it (answering the HTTP status), and the status it must answer, so an error page is really one. */
interface Visit {
  readonly name: string;
  readonly status: number;
  readonly open: (page: Page) => Promise<number | undefined>;
}

const visit = (path: string, status = 200): Visit => ({ name: path, status, open: async (page) => (await page.goto(`${origin}${path}`))?.status() });

/** Every page each role can reach, and the error pages it meets when it strays. */
const VISITS: Record<UserRole, Visit[]> = {
  dpo: [
    visit('/quarantine'),
    visit('/quarantine?status=held&category=pupil-name'),
    visit('/quarantine?status=released'),
    { name: 'POST /quarantine/search', status: 200, open: searchByAddress },
    visit(`/quarantine/${HTML_MESSAGE_ID}`),
    visit(`/quarantine/${HTML_MESSAGE_ID}?done=release`),
    visit('/dashboard'),
    visit(`/dashboard?term=${THIS_TERM}&school=st-marys-example`),
    visit('/activity'),
    visit('/activity?action=quarantine&category=pupil-name'),
    { name: 'POST /activity/search', status: 200, open: activityBySender },
    visit('/tuning'),
    visit('/register'),
    visit('/rules'),
    visit('/alerts'),
    visit('/alerts?status=open&role=dsl'),
    visit('/no-such-page', 404),
  ],
  admin: [visit('/quarantine'), visit('/quarantine/a11y-plain'), visit('/dashboard'), visit('/register'), visit('/alerts'), visit('/accounts'), visit('/accounts?done=disable')],
  dsl: [visit('/quarantine'), visit(`/quarantine/${HTML_MESSAGE_ID}`), visit('/alerts'), visit('/activity'), visit('/register', 403), visit('/accounts', 403)],
  'business-manager': [
    visit('/quarantine'),
    visit('/dashboard'),
    visit('/activity'),
    visit('/register'),
    visit('/rules'),
    visit('/alerts'),
    visit('/alerts?acknowledged=1'),
    visit(`/quarantine/${HTML_MESSAGE_ID}`, 403),
  ],
};

/** The search by address is a POST (addresses never go in a URL): filled in and sent as a person would. */
async function searchByAddress(page: Page): Promise<number | undefined> {
  await page.goto(`${origin}/quarantine`);
  await page.getByLabel('Sender (exact address)').fill('teacher.one@stmarys-example.sch.uk');
  const [response] = await Promise.all([page.waitForResponse((each) => each.url().endsWith('/quarantine/search')), page.getByRole('button', { name: 'Find' }).click()]);
  await page.waitForLoadState();
  return response.status();
}

/** A sender's history in the explorer is a POST too: the address typed and sent. */
async function activityBySender(page: Page): Promise<number | undefined> {
  await page.goto(`${origin}/activity`);
  await page.getByLabel('Sender (exact address)').fill('teacher.one@stmarys-example.sch.uk');
  const [response] = await Promise.all([page.waitForResponse((each) => each.url().endsWith('/activity/search')), page.getByRole('button', { name: 'Find' }).click()]);
  await page.waitForLoadState();
  return response.status();
}

/**
 * A context for axe. The app's CSP forbids every script (`script-src 'none'`), so axe could not be injected:
 * `bypassCSP` is set here, and only in this test, to let it in; the keyboard tests below run under the real
 * policy. Nothing may leave the machine: every request to anywhere but the app is aborted.
 */
async function axeContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ bypassCSP: true });
  await context.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
  return context;
}

async function signIn(context: BrowserContext, role: UserRole): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/sign-in`);
  await page.getByLabel('Email address').fill(ACCOUNTS[role]);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await enterCodeIfAsked(page, web.authenticators, ACCOUNTS[role]);
  await page.waitForURL(`${origin}/quarantine`);
  return page;
}

/**
 * The little of the DOM the checks in the page use, typed here because the project's TypeScript has no DOM
 * library (it is a server). The functions given to `page.evaluate` run in Chromium, where these are real.
 */
interface DomRect {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly width: number;
  readonly height: number;
}
interface DomElement {
  readonly tagName: string;
  readonly id: string;
  readonly textContent: string | null;
  readonly parentElement: DomElement | null;
  readonly scrollWidth: number;
  /** Form controls only: the labels that name them. */
  readonly labels?: ArrayLike<{ readonly textContent: string | null }> | null;
  readonly classList: { contains(name: string): boolean };
  getAttribute(name: string): string | null;
  getBoundingClientRect(): DomRect;
  matches(selector: string): boolean;
  querySelector(selector: string): DomElement | null;
}
interface InPage {
  readonly document: {
    readonly documentElement: DomElement;
    readonly body: DomElement;
    readonly activeElement: DomElement | null;
    querySelectorAll(selector: string): Iterable<DomElement>;
  };
  readonly innerWidth: number;
  readonly innerHeight: number;
  getComputedStyle(element: DomElement): {
    readonly overflowX: string;
    readonly display: string;
    readonly outlineStyle: string;
    readonly outlineWidth: string;
    readonly boxShadow: string;
  };
  readonly axe: { run(context: unknown, options: object): Promise<AxeResults> };
}

/** axe-core's WCAG 2.0 and 2.1 A/AA rules on the page, one readable line per failing element. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const results = await page.evaluate(
    // The message's HTML body is a sandboxed frame that runs no script, so axe cannot enter it (it would wait for
    // an answer until it timed out); its content is the sender's, not the app's.
    async (tags) => {
      const { axe, document } = globalThis as unknown as InPage;
      return axe.run(document, { runOnly: { type: 'tag', values: tags }, iframes: false, resultTypes: ['violations'] });
    },
    WCAG_AA_TAGS,
  );
  return results.violations.flatMap((violation) =>
    violation.nodes.map(
      (node) => `${violation.id} (${violation.impact ?? 'unknown'}): ${violation.help} — ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ') ?? ''}`,
    ),
  );
}

/**
 * What a phone or a laptop would show wrong: sideways scrolling of the page, a table that is not in a box of
 * its own that scrolls, anything in the bar beyond the screen's edge, and targets smaller than 24 px. Links
 * inside a line of text are exempt from the target size, as WCAG 2.5.8 allows ("inline").
 */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate((minTarget) => {
    const { document, getComputedStyle, innerWidth: width } = globalThis as unknown as InPage;
    const problems: string[] = [];
    const describe = (element: DomElement) => {
      const label = element.getAttribute('aria-label') ?? element.labels?.[0]?.textContent ?? element.textContent ?? '';
      return `<${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}> "${label.trim().replace(/\s+/g, ' ').slice(0, 40)}"`;
    };
    if (document.documentElement.scrollWidth > width) problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px wide in ${width}px`);
    for (const table of document.querySelectorAll('main table')) {
      let box = table.parentElement;
      while (box && box !== document.body && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
      if (!box || box === document.body) problems.push(`${describe(table.querySelector('caption, th') ?? table)} table does not scroll in a box of its own`);
      else if (box.getBoundingClientRect().right > width + 0.5) problems.push(`${describe(table)} table's box runs past the screen's edge`);
    }
    for (const element of document.querySelectorAll('header *')) {
      const rect = element.getBoundingClientRect();
      if (rect.width > 0 && (rect.left < -0.5 || rect.right > width + 0.5)) problems.push(`${describe(element)} in the bar runs past the screen's edge`);
    }
    const targets = document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])');
    for (const target of targets) {
      const rect = target.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0 || target.classList.contains('skip')) continue;
      const parent = target.parentElement;
      const inline =
        target.tagName === 'A' &&
        getComputedStyle(target).display === 'inline' &&
        parent !== null &&
        ['P', 'LI', 'DD', 'TD'].includes(parent.tagName) &&
        (parent.textContent ?? '').trim() !== (target.textContent ?? '').trim();
      if (!inline && (rect.width < minTarget - 0.01 || rect.height < minTarget - 0.01))
        problems.push(`${describe(target)} is ${rect.width.toFixed(1)}×${rect.height.toFixed(1)}px, under ${minTarget}px`);
    }
    return problems;
  }, MIN_TARGET_PX);
}

describe('the review app meets WCAG 2.1 AA and fits a phone and a laptop (Chromium, axe-core)', () => {
  it(
    'signed out: the sign-in page and a failed sign-in',
    async () => {
      const context = await axeContext();
      const page = await context.newPage();
      const failed: Visit = {
        name: 'failed sign-in',
        status: 401,
        open: async (each) => {
          await each.goto(`${origin}/sign-in`);
          await each.getByLabel('Email address').fill('nobody@stmarys-example.sch.uk');
          await each.getByLabel('Password').fill('not the password at all');
          const [response] = await Promise.all([each.waitForResponse((one) => one.request().method() === 'POST'), each.getByRole('button', { name: 'Sign in' }).click()]);
          await each.waitForLoadState();
          return response.status();
        },
      };
      // Signed out, an unknown address goes to sign-in like every other page (303), so the 404 page is checked signed in.
      await checkEveryPage(page, [visit('/sign-in'), failed]);
      await context.close();
    },
    AXE_TEST_TIMEOUT_MS,
  );

  it(
    'part-way through sign-in: the enrolment page with its QR code, the code page and a wrong code',
    async () => {
      const newcomer = 'new.dsl@stmarys-example.sch.uk';
      if (!(await web.store.users.find(newcomer))) await web.store.users.add({ email: newcomer, role: 'dsl', passwordHash: await TEST_HASHING.hash(PASSWORD) });
      const passwordOnly = async (email: string) => {
        const context = await axeContext();
        const page = await context.newPage();
        await page.goto(`${origin}/sign-in`);
        await page.getByLabel('Email address').fill(email);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL((url) => url.pathname !== '/sign-in');
        return { context, page };
      };
      const enrolling = await passwordOnly(newcomer);
      await checkEveryPage(enrolling.page, [visit('/sign-in/enrol')]);
      await enrolling.context.close();

      // The admin: the account these checks sign in least, so the wrong codes stay under the limit of five a minute.
      const coding = await passwordOnly(ACCOUNTS.admin);
      const wrong: Visit = {
        name: 'wrong code',
        status: 401,
        open: async (each) => {
          await each.goto(`${origin}/sign-in/code`);
          await each.getByLabel('Code').fill('000000');
          const [response] = await Promise.all([each.waitForResponse((one) => one.request().method() === 'POST'), each.getByRole('button', { name: 'Continue' }).click()]);
          await each.waitForLoadState();
          return response.status();
        },
      };
      await checkEveryPage(coding.page, [visit('/sign-in/code'), wrong]);
      await coding.context.close();
    },
    AXE_TEST_TIMEOUT_MS,
  );

  it('the checks themselves catch what they look for, on a page made to fail them', async () => {
    const context = await axeContext();
    const page = await context.newPage();
    await page.setViewportSize(VIEWPORTS.phone);
    await page.setContent(`<!doctype html><html lang="en"><head><title>Broken on purpose</title>
<style>.pale { color: #b0b0b0; } button { font-size: 10px; padding: 0; outline: none; } table { width: 600px; }</style></head>
<body><header><nav><a href="#x">Far</a></nav></header><main><p class="pale">Hard to read</p><input type="text"><button>x</button>
<table><tr><th>Wide</th><td>table</td></tr></table></main></body></html>`);
    const rules = (await axeViolations(page)).map((line) => line.split(' ')[0]);
    expect(rules).toEqual(expect.arrayContaining(['color-contrast', 'label']));
    const layout = await layoutProblems(page);
    expect(layout).toEqual(
      expect.arrayContaining([
        expect.stringContaining('scrolls sideways'),
        expect.stringContaining('does not scroll in a box of its own'),
        expect.stringMatching(/<button> "x" is .* under 24px/),
      ]),
    );
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'button', indicator: false });
    await context.close();
  });

  for (const role of Object.keys(VISITS) as UserRole[]) {
    it(
      `signed in as ${role}: every page it can reach, and the error pages it meets`,
      async () => {
        const context = await axeContext();
        const page = await signIn(context, role);
        await checkEveryPage(page, VISITS[role]);
        await context.close();
      },
      AXE_TEST_TIMEOUT_MS,
    );
  }
});

/** Each page at each width: the status it must answer, then axe and the layout checks (also at 320 px), all reported together. */
async function checkEveryPage(page: Page, visits: readonly Visit[]): Promise<void> {
  const axeProblems: string[] = [];
  const layout: string[] = [];
  for (const [name, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    for (const each of visits) {
      expect(await each.open(page), `${each.name} answers ${each.status}`).toBe(each.status);
      axeProblems.push(...(await axeViolations(page)).map((line) => `${each.name} (${name}): ${line}`));
      layout.push(...(await layoutProblems(page)).map((line) => `${each.name} (${name}): ${line}`));
    }
  }
  await page.setViewportSize(REFLOW);
  for (const each of visits) {
    expect(await each.open(page), `${each.name} answers ${each.status}`).toBe(each.status);
    layout.push(...(await layoutProblems(page)).map((line) => `${each.name} (320 px): ${line}`));
  }
  expect.soft(axeProblems, 'axe-core WCAG 2.1 A/AA violations').toEqual([]);
  expect.soft(layout, 'layout problems on a phone or a laptop').toEqual([]);
}

/** What has the keyboard focus now, and whether a person can see it (an outline or a ring) and where it is. */
interface Focused {
  readonly name: string;
  readonly tag: string;
  readonly focusVisible: boolean;
  readonly indicator: boolean;
  readonly onScreen: boolean;
}

async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const { document, getComputedStyle, innerWidth, innerHeight } = globalThis as unknown as InPage;
    const element = document.activeElement;
    if (!element || element === document.body) return { name: '(nothing)', tag: 'body', focusVisible: false, indicator: false, onScreen: false };
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const ring = style.boxShadow !== 'none' && style.boxShadow !== '';
    const rect = element.getBoundingClientRect();
    const label = element.getAttribute('aria-label') ?? element.labels?.[0]?.textContent ?? element.textContent ?? '';
    return {
      name: label.trim().replace(/\s+/g, ' '),
      tag: element.tagName.toLowerCase(),
      // A date input's focus moves through its fields and its picker button, inside it: the input is only :focus-within then.
      focusVisible: element.matches(':focus-visible') || (element.matches('input[type=date]') && element.matches(':focus-within')),
      indicator: outline || ring,
      // Scrolled into view (a table's box may be taller than the screen, so in view is enough).
      onScreen: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0 && rect.top < innerHeight && rect.left < innerWidth,
    };
  });
}

/** Presses Tab until `wanted` has the focus, checking that every stop on the way shows where the focus is. */
async function tabTo(page: Page, wanted: (focus: Focused) => boolean, maxStops = 60): Promise<Focused[]> {
  const stops: Focused[] = [];
  for (let stop = 0; stop < maxStops; stop += 1) {
    await page.keyboard.press('Tab');
    const focus = await focused(page);
    stops.push(focus);
    if (wanted(focus)) {
      const hidden = stops.filter((each) => !each.focusVisible || !each.indicator || !each.onScreen);
      expect(hidden, 'stops whose focus cannot be seen').toEqual([]);
      return stops;
    }
  }
  throw new Error(`not reached in ${maxStops} presses of Tab: ${stops.map((each) => each.name).join(' → ')}`);
}

describe('the review app by keyboard alone (Chromium, the app’s own CSP)', () => {
  for (const [name, size] of Object.entries(VIEWPORTS)) {
    it(`${name}: skip link, sign-in, the list, a message and a decision, with the focus visible at every stop`, async () => {
      await web.store.quarantine.hold(inventedRecord({ id: `a11y-keyboard-${name}`, receivedAt: new Date(`2026-11-21T0${name === 'phone' ? 8 : 9}:30:00.000Z`) }));
      const context = await browser.newContext({ viewport: size });
      const page = await context.newPage();
      await page.goto(`${origin}/sign-in`);

      // The first stop is the skip link, shown when focused; following it puts the next stop inside <main>.
      const [skip] = await tabTo(page, () => true);
      expect(skip).toMatchObject({ name: 'Skip to content', tag: 'a' });
      await page.keyboard.press('Enter');
      // Following a fragment link is a navigation Chromium finishes after the key press returns.
      await page.waitForURL((url) => url.hash === '#main');
      // One press of Tab each: the order is the order of the form.
      expect(await tabTo(page, (focus) => focus.name === 'Email address')).toHaveLength(1);
      await page.keyboard.type(ACCOUNTS.dpo);
      expect(await tabTo(page, (focus) => focus.name === 'Password')).toHaveLength(1);
      await page.keyboard.type(PASSWORD);
      expect(await tabTo(page, (focus) => focus.tag === 'button' && focus.name === 'Sign in')).toHaveLength(1);
      await page.keyboard.press('Enter');
      // The second step: past the skip link, the code field, then Continue.
      await page.waitForURL(`${origin}/sign-in/code`);
      expect(await tabTo(page, (focus) => focus.name === 'Code')).toHaveLength(2);
      await page.keyboard.type(web.authenticators.nextCode(ACCOUNTS.dpo));
      expect(await tabTo(page, (focus) => focus.tag === 'button' && focus.name === 'Continue')).toHaveLength(1);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${origin}/quarantine`);

      // On the list the skip link passes over the whole bar: the next stop is the first filter.
      expect(await tabTo(page, () => true)).toMatchObject([{ name: 'Skip to content' }]);
      await page.keyboard.press('Enter');
      expect(await tabTo(page, () => true)).toMatchObject([{ name: 'Status', tag: 'select' }]);

      // From the top again, through the bar, the filters and the search, to the message's link.
      await page.goto(`${origin}/quarantine`);
      const when = `2026-11-21 0${name === 'phone' ? 8 : 9}:30`;
      const stops = await tabTo(page, (focus) => focus.tag === 'a' && focus.name === when);
      expect(stops[0]?.name).toBe('Skip to content');
      expect(stops.map((each) => each.name)).toEqual(expect.arrayContaining(['Quarantine', 'Dashboard', 'Sign out', 'Status', 'Filter', 'Find']));
      await page.keyboard.press('Enter');
      await page.waitForURL(`${origin}/quarantine/a11y-keyboard-${name}`);

      await tabTo(page, (focus) => focus.tag === 'textarea' && focus.name.startsWith('Reason to release '));
      await page.keyboard.type('checked with the class teacher');
      expect(await tabTo(page, (focus) => focus.tag === 'button' && focus.name === 'Release')).toHaveLength(1);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${origin}/quarantine/a11y-keyboard-${name}?done=release`);
      await expect(page.getByRole('status').textContent()).resolves.toContain('Release queued');
      expect((await web.releaseJob(`a11y-keyboard-${name}`))?.data).toMatchObject({ messageId: `a11y-keyboard-${name}`, encrypt: false });
      await context.close();
    });
  }
});
