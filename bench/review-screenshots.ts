/**
 * Makes docs/screenshots/review-*.png: the review app in Debian's headless Chromium, signed in as an invented
 * DPO, with three invented held messages and the alerts they raised. Run after `npm run build`: `node dist/bench/review-screenshots.js`
 * (needs the machine's Redis for the mail queue, under a prefix of its own).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Finding } from '../src/detect/finding.js';
import type { Notification, Verdict } from '../src/policy/verdict.js';
import { inboxEntriesFor } from '../src/queue/alerts.js';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { launchChromium } from './screenshot-example.js';
import { queueConnection } from '../src/queue/job-seal.js';
import { bullMailQueue } from '../src/queue/mail-queue.js';
import { hashPassword } from '../src/smtp/password-hash.js';
import { openStore } from '../src/store/open-store.js';
import { newTotpSecret } from '../src/web/totp.js';
import { createWebApp } from '../src/web/web-app.js';
import { Secret, TOTP } from 'otpauth';

const DPO = 'dpo@school.example.sch.uk';
const PASSWORD = 'an invented password for screenshots';
const PHONE = { width: 375, height: 740 };

interface Invented {
  readonly subject: string;
  readonly text: string;
  readonly to: string;
  readonly ruleIds: string[];
  readonly findings: Finding[];
  /** The rule as the alerts inbox records it, and whom it alerts. */
  readonly rule: { readonly description: string; readonly clause: string; readonly notify: Notification[] };
}

const HELD: Invented[] = [
  {
    subject: 'Annual review next week',
    to: 'a.farrell@edpsych.example.org',
    text: 'Dear Dr Farrell,\n\nAhead of the annual review: Libby Harding has an EHCP, and her dyslexia screening confirmed the earlier findings.\n\nBest wishes,\nMs Example',
    ruleIds: ['pupil-data-to-external'],
    findings: [finding('pupil-name', 'Libby Harding'), finding('sensitive/sen', 'EHCP'), finding('sensitive/health', 'dyslexia')],
    rule: {
      description: 'A pupil named with special-category data, leaving the school',
      clause: 'AUP 4.2: sensitive information only by encrypted email',
      notify: [
        { to: 'dsl', level: 'immediate', ruleId: 'pupil-data-to-external' },
        { to: 'dpo', level: 'digest', ruleId: 'pupil-data-to-external' },
      ],
    },
  },
  {
    subject: 'Booking system',
    to: 'colleague@school.example.sch.uk',
    text: 'The new booking system is so slow, only a retard would have designed it.',
    ruleIds: ['slur'],
    findings: [finding('language/slur', 'retard')],
    rule: {
      description: 'Discriminatory or abusive language',
      clause: 'AUP 4.2: language must not be offensive or abusive',
      notify: [
        { to: 'business-manager', level: 'immediate', ruleId: 'slur' },
        { to: 'dpo', level: 'digest', ruleId: 'slur' },
      ],
    },
  },
  {
    subject: 'Year 6 list',
    to: 'coach@football.example.net',
    text: 'Here is the list for Saturday, with dates of birth and addresses as you asked.',
    ruleIds: ['bulk-data-to-external'],
    findings: [finding('attachment/bulk-personal-data', 'year6.xlsx')],
    rule: {
      description: 'A class list or other bulk personal data leaving the school',
      clause: 'AUP 7.1: school data leaves the site only when sent securely',
      notify: [
        { to: 'dpo', level: 'immediate', ruleId: 'bulk-data-to-external' },
        { to: 'business-manager', level: 'immediate', ruleId: 'bulk-data-to-external' },
      ],
    },
  },
];

function finding(category: string, match: string): Finding {
  return { detector: 'screenshot', category, severity: 'high', location: { part: 'body' }, match, explanation: '' } as unknown as Finding;
}

async function main(): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'hm-review-shots-'));
  const store = await openStore({ dataDir: folder });
  const prefix = `hm-shots-${randomBytes(4).toString('hex')}`;
  const mail = bullMailQueue(queueConnection('redis://127.0.0.1:6379', randomBytes(32)), { prefix });
  const app = await createWebApp({ store, mail });
  const browser = await launchChromium();
  try {
    await store.users.add({ email: DPO, role: 'dpo', passwordHash: await hashPassword(PASSWORD) });
    // The DPO signs in with a second factor: enrolled here, as at an earlier sign-in, and the code computed as a phone would.
    const secret = await store.users.enrolmentSecret(DPO, newTotpSecret);
    await store.users.finishEnrolment(DPO, 0);
    for (const [index, held] of HELD.entries()) {
      const raw = await new MailComposer({
        from: 'Ms Example <teacher@school.example.sch.uk>',
        to: held.to,
        subject: held.subject,
        text: held.text,
        date: new Date(Date.UTC(2026, 10, 20, 9 + index)),
      })
        .compile()
        .build();
      const receivedAt = new Date(Date.UTC(2026, 10, 20, 9 + index));
      const { id } = await store.quarantine.hold({
        schoolId: 'example-school',
        receivedAt,
        envelope: { mailFrom: 'teacher@school.example.sch.uk', rcptTo: [held.to] },
        subject: held.subject,
        raw,
        ruleIds: held.ruleIds,
        findings: held.findings,
      });
      const verdict: Verdict = {
        action: 'quarantine',
        findings: held.findings,
        notifications: held.rule.notify,
        rules: [{ id: held.ruleIds[0]!, action: 'quarantine', description: held.rule.description, clause: held.rule.clause, reason: '', findings: held.findings }],
      };
      const facts = { school: { id: 'example-school' }, messageId: id, receivedAt, sender: 'teacher@school.example.sch.uk', recipients: [held.to], reviewBaseUrl: '' };
      await store.alertInbox.record(inboxEntriesFor(verdict, facts, { 'business-manager': ['bursar@school.example.sch.uk'], dpo: [DPO], dsl: [] }));
    }
    // One already dealt with, to show both states.
    await store.alertInbox.acknowledge([(await store.alertInbox.list({ roles: ['dsl'] }))[0]!.id], {
      actor: DPO,
      note: 'Discussed with the DSL; the sender will use [secure]',
      at: new Date(Date.UTC(2026, 10, 20, 12)),
    });
    // Some weeks of verdicts for the dashboard and the register (metadata only, as the gateway writes them).
    const actions = ['deliver', 'deliver', 'deliver', 'deliver', 'encrypt', 'return', 'quarantine'] as const;
    const categories: Record<string, Record<string, number>> = {
      deliver: {},
      encrypt: { 'pupil-name': 1, 'sensitive/sen': 1 },
      return: { 'language/profanity': 1 },
      quarantine: { 'language/slur': 1 },
    };
    const rules: Record<string, string[]> = { deliver: [], encrypt: ['pupil-data-to-external'], return: ['profanity'], quarantine: ['slur'] };
    for (let day = 0; day < 40; day += 1) {
      for (let index = 0; index < 3 + (day % 4); index += 1) {
        const action = actions[(day * 3 + index) % actions.length]!;
        await store.audit.append({
          kind: 'verdict',
          messageId: `shot-${day}-${index}`,
          schoolId: 'example-school',
          action,
          ruleIds: rules[action]!,
          categories: categories[action]!,
          sender: index % 2 === 0 ? 'teacher@school.example.sch.uk' : 'office@school.example.sch.uk',
          recipientDomains: ['example.org'],
          recipientCount: 1,
          timings: { scanMs: 6, actMs: 12 },
          replyCode: action === 'return' ? 550 : 250,
          at: new Date(Date.now() - day * 86_400_000),
        });
      }
    }
    // A finding a reviewer judged wrong, so the explorer flags it and the tuning report has a row.
    const [encrypted] = await store.activity.list({ action: 'encrypt', limit: 1 });
    await store.falsePositives.mark({
      verdict: encrypted!,
      category: 'sensitive/sen',
      term: 'send',
      ruleIds: encrypted!.ruleIds,
      reason: 'SEND meant the verb',
      actor: DPO,
      at: new Date(),
    });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
    // `fullPage: false` for a list with a page of 50 lines: its top, the filters and the first lines, says enough.
    const shot = (name: string, fullPage = true) => page.screenshot({ path: join(PACKAGE_ROOT, 'docs', 'screenshots', `review-${name}.png`), fullPage });
    await page.goto(`${address}/quarantine`);
    await shot('sign-in');
    await page.getByLabel('Email address').fill(DPO);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.waitForURL(/\/sign-in\/code/);
    await page.getByLabel('Code').fill(new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate());
    await page.getByLabel('Code').press('Enter');
    await page.waitForURL(/\/quarantine/);
    await shot('list');
    await page.getByRole('link', { name: /2026-11-20 09:00/ }).click();
    await page.waitForLoadState();
    await shot('message');
    const messageUrl = page.url();
    await page.goto(`${address}/dashboard`);
    await shot('dashboard');
    await page.goto(`${address}/register`);
    await shot('register');
    await page.goto(`${address}/alerts`);
    await shot('alerts');
    await page.setViewportSize({ width: 1100, height: 1400 });
    await page.goto(`${address}/activity`);
    await shot('activity', false);
    await page.setViewportSize({ width: 1100, height: 720 });
    await page.goto(`${address}/tuning`);
    await shot('tuning');
    // The same pages on a phone (375×740): the sign-in page in a fresh, signed-out page.
    const signedOut = await browser.newPage({ viewport: PHONE });
    await signedOut.goto(`${address}/sign-in`);
    await signedOut.screenshot({ path: join(PACKAGE_ROOT, 'docs', 'screenshots', 'review-sign-in-phone.png'), fullPage: true });
    await page.setViewportSize(PHONE);
    for (const [name, url] of [
      ['list', `${address}/quarantine`],
      ['message', messageUrl],
      ['dashboard', `${address}/dashboard`],
      ['register', `${address}/register`],
      ['alerts', `${address}/alerts`],
      ['activity', `${address}/activity?action=return`],
    ] as const) {
      await page.goto(url);
      await shot(`${name}-phone`);
    }
    console.log('wrote docs/screenshots/review-{sign-in,list,message,dashboard,register,alerts,activity,tuning}.png and review-*-phone.png');
  } finally {
    await browser.close();
    await app.close();
    await mail.close();
    await store.close();
    await rm(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
