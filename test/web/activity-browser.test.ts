import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventedRecord, verdictEntry } from '../store/support/invented-records.js';
import { launchChromium } from '../support/chromium.js';
import { enterCodeIfAsked } from './support/authenticators.js';
import { ACCOUNTS, createWebSite, PASSWORD, type WebSite } from './support/web-site.js';

const SCHOOL = { a: 'school-a-example', b: 'school-b-example' } as const;
const TEACHER = 'teacher.one@school-a-example.sch.uk';
const COLLEAGUE = 'teacher.two@school-a-example.sch.uk';

let browser: Browser;
let web: WebSite;
let origin: string;
let page: Page;

/**
 * October's mail at two schools: school A's teacher has 3 messages encrypted and 1 held, their colleague 2
 * encrypted; school B 4 encrypted; and a November message encrypted at school A, outside the dates filtered on.
 */
async function seed(): Promise<void> {
  const encrypted = (messageId: string, schoolId: string, sender: string, day: number) =>
    verdictEntry({ messageId, schoolId, sender, action: 'encrypt', ruleIds: ['health-external'], categories: { 'sensitive/health': 1 }, at: new Date(Date.UTC(2026, 9, day, 10)) });
  await web.store.audit.appendAll([
    ...[1, 2, 3].map((day) => encrypted(`a-teacher-${day}`, SCHOOL.a, TEACHER, day)),
    ...[4, 5].map((day) => encrypted(`a-colleague-${day}`, SCHOOL.a, COLLEAGUE, day)),
    ...[6, 7, 8, 9].map((day) => encrypted(`b-${day}`, SCHOOL.b, 'teacher@school-b-example.sch.uk', day)),
    verdictEntry({
      messageId: 'a-november',
      schoolId: SCHOOL.a,
      sender: TEACHER,
      action: 'encrypt',
      ruleIds: ['health-external'],
      categories: { 'sensitive/health': 1 },
      at: new Date('2026-11-02T10:00:00Z'),
    }),
  ]);
  await web.store.quarantine.hold(
    inventedRecord({ id: 'a-held', schoolId: SCHOOL.a, receivedAt: new Date('2026-10-12T10:00:00Z') }),
    verdictEntry({ schoolId: SCHOOL.a, sender: TEACHER, at: new Date('2026-10-12T10:00:00Z') }),
  );
}

beforeAll(async () => {
  browser = await launchChromium();
  web = await createWebSite('postgres');
  await seed();
  await web.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(web.app.server.address() as AddressInfo).port}`;
  const context = await browser.newContext({ acceptDownloads: true });
  // Nothing leaves the machine: the app is the only place the browser may reach.
  await context.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
  page = await context.newPage();
  await page.goto(`${origin}/sign-in`);
  await page.getByLabel('Email address').fill(ACCOUNTS.dpo);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await enterCodeIfAsked(page, web.authenticators, ACCOUNTS.dpo);
  await page.waitForURL(`${origin}/quarantine`);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await web?.dispose();
});

/** The lines in the explorer's table: time, school, sender, what happened. */
async function shownLines(): Promise<string[][]> {
  const rows = page.locator('table tbody tr');
  const lines: string[][] = [];
  for (let index = 0; index < (await rows.count()); index += 1) {
    const cells = rows.nth(index).locator('td');
    // The first line of each cell: what the eye reads, without the text kept for screen readers and the History button.
    const firstLine = async (cell: number) => (await cells.nth(cell).innerText()).split('\n')[0]!.trim();
    lines.push([await firstLine(1), await firstLine(2), await firstLine(3)]);
  }
  return lines;
}

async function downloadedCsv(link: () => Promise<void>): Promise<Record<string, string>[]> {
  const [download] = await Promise.all([page.waitForEvent('download'), link()]);
  return parse(await readFile((await download.path())!, 'utf8'), { columns: true }) as Record<string, string>[];
}

describe('the activity explorer in Chromium', { timeout: 120_000 }, () => {
  it('filters by action and dates, follows a school to its history, finds a sender by a posted form, and downloads the same lines as CSV', async () => {
    await page.getByRole('link', { name: 'Activity' }).click();
    await page.waitForURL(`${origin}/activity`);
    await expect.poll(() => page.getByRole('heading', { level: 2 }).first().innerText()).toBe('11 lines');

    await page.getByLabel('What happened').selectOption('encrypt');
    await page.getByLabel('From', { exact: true }).fill('2026-10-01');
    await page.getByLabel('To', { exact: true }).fill('2026-10-31');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.waitForURL(`${origin}/activity?school=&action=encrypt&category=&rule=&since=2026-10-01&until=2026-10-31`);
    expect(await page.getByRole('heading', { level: 2 }).first().innerText()).toBe('9 lines');
    const filtered = await shownLines();
    expect(filtered.every(([, , what]) => what === 'sent encrypted')).toBe(true);

    const csv = await downloadedCsv(() => page.getByRole('link', { name: 'Download these as CSV' }).click());
    expect(csv.map((row) => row['Message id'])).toEqual(['b-9', 'b-8', 'b-7', 'b-6', 'a-colleague-5', 'a-colleague-4', 'a-teacher-3', 'a-teacher-2', 'a-teacher-1']);
    expect(csv.every((row) => row.Action === 'encrypt')).toBe(true);

    // A school's history: the link in a line keeps the other filters out and shows that school alone.
    await page
      .getByRole('link', { name: new RegExp(`^${SCHOOL.b}\\s*: its history$`) })
      .first()
      .click();
    await page.waitForURL(`${origin}/activity?school=${SCHOOL.b}`);
    expect((await shownLines()).map(([school]) => school)).toEqual([SCHOOL.b, SCHOOL.b, SCHOOL.b, SCHOOL.b]);

    // A sender's history: the address is posted with the form, never put in the URL.
    await page.goto(`${origin}/activity?action=encrypt`);
    await page.getByLabel('Sender (exact address)').fill(TEACHER);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(`${origin}/activity/search`);
    expect(await page.getByRole('heading', { level: 2 }).first().innerText()).toBe(`4 lines from ${TEACHER}`);
    expect((await shownLines()).map(([, sender]) => sender)).toEqual([TEACHER, TEACHER, TEACHER, TEACHER]);
    const posted = await downloadedCsv(() => page.getByRole('button', { name: 'Download these as CSV' }).click());
    expect(posted.map((row) => row['Message id'])).toEqual(['a-november', 'a-teacher-3', 'a-teacher-2', 'a-teacher-1']);
    expect(web.served.filter((url) => url.includes('@') || url.includes('%40'))).toEqual([]);
  });

  it('marks a finding of a line as a false positive, and the line then says so', async () => {
    await page.goto(`${origin}/activity?school=${SCHOOL.a}&action=quarantine`);
    await page.locator('summary').first().click();
    await page.getByLabel('Finding').first().selectOption('sensitive/health');
    await page.getByLabel('Why it is wrong').first().fill('asthma of a member of staff on a first-aid course');
    await page.getByRole('button', { name: 'Mark as false positive' }).first().click();
    await page.waitForURL(`${origin}/activity?school=${SCHOOL.a}&action=quarantine&done=false-positive`);
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Marked as a false positive');
    expect(await page.locator('table tbody tr').first().locator('td').nth(4).innerText()).toContain('sensitive/health (2) false positive');
    const [entry] = await web.site.exec("SELECT actor, message_id, reason FROM audit_log WHERE action = 'false-positive'");
    expect(entry).toEqual({ actor: ACCOUNTS.dpo, message_id: 'a-held', reason: 'sensitive/health (pupil-name-external): asthma of a member of staff on a first-aid course' });
  });
});
