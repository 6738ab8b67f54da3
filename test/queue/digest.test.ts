import { resolve } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { digestMails, digestPeriod, digestRoles, type DigestSchool, type DigestSource, type DigestSummary } from '../../src/queue/digest.js';
import { loadConfigFile, schoolSources } from '../../src/config/config.js';
import { loadTenants } from '../../src/scan/tenants.js';
import { QUEUE_NAMES } from '../../src/queue/queue-names.js';
import { startNextHop } from '../actions/support/next-hop-server.js';
import { inspect, sharedMailQueue, workersTo, type Cleanups } from './support/workers.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SCHOOL: DigestSchool = {
  id: 'st-marys-example',
  name: "St Mary's C of E Primary",
  recipients: { 'business-manager': ['bursar@stmarys-example.sch.uk'], dpo: ['dpo@stmarys-example.sch.uk'], dsl: [] },
  roles: ['business-manager', 'dpo', 'dsl', 'dpo'],
};

const SUMMARY: DigestSummary = {
  verdicts: { deliver: 120, return: 6, quarantine: 2 },
  categories: { 'pupil-name': 9, 'language/profanity': 3, 'sensitive/health': 3, 'recipients/personal-webmail': 1 },
  topRules: [
    { id: 'pupil-name-to-external', count: 5 },
    { id: 'profanity', count: 3 },
  ],
  sendersNeedingTraining: [
    { sender: 'often@stmarys-example.sch.uk', count: 4 },
    { sender: 'once@stmarys-example.sch.uk', count: 1 },
  ],
  digestNotifications: 7,
};

const PERIOD = { since: new Date('2026-11-22T07:00:00Z'), until: new Date('2026-11-23T07:00:00Z') };

describe('digestPeriod', () => {
  const at = (iso: string) => new Date(iso);
  const HOUR = 3_600_000;

  it('runs from the schedule’s previous run to this one', () => {
    expect(digestPeriod(at('2026-11-24T07:00:00Z'), { pattern: '0 7 * * *', timezone: 'Europe/London' })).toEqual({
      since: at('2026-11-23T07:00:00Z'),
      until: at('2026-11-24T07:00:00Z'),
    });
  });

  it('gives a weekday schedule’s Monday digest the whole weekend', () => {
    const period = digestPeriod(at('2026-11-30T06:30:00Z'), { pattern: '30 6 * * 1-5', timezone: 'Europe/London' });
    expect(period.since).toEqual(at('2026-11-27T06:30:00Z'));
  });

  it('follows the clocks: 25 hours in the day they go back, 23 in the day they go forward', () => {
    const daily = { pattern: '0 7 * * *', timezone: 'Europe/London' };
    const autumn = digestPeriod(at('2026-10-25T07:00:00Z'), daily);
    expect(autumn.since).toEqual(at('2026-10-24T06:00:00Z'));
    expect(autumn.until.getTime() - autumn.since.getTime()).toBe(25 * HOUR);
    const spring = digestPeriod(at('2026-03-29T06:00:00Z'), daily);
    expect(spring.until.getTime() - spring.since.getTime()).toBe(23 * HOUR);
  });

  it('takes a job queued a moment after its time as that run, so periods still meet', () => {
    expect(digestPeriod(at('2026-11-24T07:00:04.321Z'), { pattern: '0 7 * * *', timezone: 'Europe/London' })).toEqual({
      since: at('2026-11-23T07:00:00Z'),
      until: at('2026-11-24T07:00:00Z'),
    });
  });
});

describe('digestMails', () => {
  it('one digest per role with addresses, named by school, day and role, with the counts and the senders over the threshold', () => {
    const mails = digestMails(SCHOOL, SUMMARY, PERIOD);
    expect(mails.map((mail) => [mail.id, mail.to])).toEqual([
      ['digest.st-marys-example-2026-11-23.business-manager', ['bursar@stmarys-example.sch.uk']],
      ['digest.st-marys-example-2026-11-23.dpo', ['dpo@stmarys-example.sch.uk']],
    ]);
    const { text, subject } = mails[0]!;
    expect(subject).toBe("Hallmonitor daily digest: St Mary's C of E Primary, 2026-11-23");
    expect(text).toContain('Messages checked: 128');
    expect(text).toContain("Held for the Data Protection Officer's review; not sent: 2");
    expect(text).toContain('Sent encrypted: 0');
    expect(text).toContain('- pupil-name: 9\n- language/profanity: 3\n- sensitive/health: 3\n- recipients/personal-webmail: 1');
    expect(text).toContain('- pupil-name-to-external: 5\n- profanity: 3');
    expect(text).toContain('- often@stmarys-example.sch.uk: 4');
    expect(text).not.toContain('once@stmarys-example.sch.uk');
    expect(text).toContain('7 notifications waited for this digest');
  });

  it('says so when nothing happened, and lowers the threshold when asked', () => {
    const quiet: DigestSummary = {
      verdicts: {},
      categories: {},
      topRules: [],
      sendersNeedingTraining: [{ sender: 'once@stmarys-example.sch.uk', count: 1 }],
      digestNotifications: 0,
    };
    const [mail] = digestMails(SCHOOL, quiet, PERIOD, { trainingThreshold: 1 });
    expect(mail!.text).toContain('Messages checked: 0');
    expect(mail!.text).toContain('What was found most:\n\n- nothing');
    expect(mail!.text).toContain('- once@stmarys-example.sch.uk: 1');
  });
});

describe('digestRoles', () => {
  it('are the roles the shipped rules notify at digest level: never the sender, who gets notices', async () => {
    const config = resolve(import.meta.dirname, '../../fixtures/school.yaml');
    const [loaded] = (await loadTenants(schoolSources(await loadConfigFile(config), config))).schools;
    expect(digestRoles(loaded!.school.ruleSet)).toEqual(['business-manager', 'dpo']);
  });
});

/** Audit entries in memory, counted as the store will count them: by time, action, category, rule and sender. */
interface AuditEntryFixture {
  readonly at: Date;
  readonly sender: string;
  readonly action: 'deliver' | 'return' | 'quarantine';
  readonly categories: string[];
  readonly rules: string[];
}

function auditLog(entries: readonly AuditEntryFixture[]): DigestSource & { calls: [string, Date, Date][] } {
  const calls: [string, Date, Date][] = [];
  return {
    calls,
    async summarise(schoolId, since, until) {
      calls.push([schoolId, since, until]);
      const inPeriod = entries.filter((entry) => entry.at >= since && entry.at < until);
      const count = (keys: string[]) => keys.reduce<Record<string, number>>((counts, key) => ({ ...counts, [key]: (counts[key] ?? 0) + 1 }), {});
      const senders = count(inPeriod.filter((entry) => entry.action !== 'deliver').map((entry) => entry.sender));
      return {
        verdicts: count(inPeriod.map((entry) => entry.action)),
        categories: count(inPeriod.flatMap((entry) => entry.categories)),
        topRules: Object.entries(count(inPeriod.flatMap((entry) => entry.rules))).map(([id, n]) => ({ id, count: n })),
        sendersNeedingTraining: Object.entries(senders).map(([sender, n]) => ({ sender, count: n })),
        digestNotifications: 0,
      };
    },
  };
}

/** Weekday and time of day in London, e.g. `Fri 06:30`. */
function londonWeekdayAndTime(at: Date): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at).replace(',', '');
}

describe('the daily digest on the real Redis', () => {
  it('declares its cron schedule, and when the scheduled job fires, counts since the previous run and emails each role once', async () => {
    const sink = await startNextHop();
    cleanups.push(() => sink.close());
    const { prefix } = sharedMailQueue(cleanups);
    // Filled in once the job's due time is known: the test must not depend on the time of day it runs at.
    const entries: AuditEntryFixture[] = [];
    const source = auditLog(entries);
    await workersTo(
      cleanups,
      sink.url,
      prefix,
      { digest: { source, schools: [SCHOOL], options: { trainingThreshold: 2 } } },
      { digestSchedule: { pattern: '30 6 * * 1-5', timezone: 'Europe/London' } },
    );
    const digests = inspect(cleanups, QUEUE_NAMES.digests, prefix);
    const scheduler = await digests.getJobScheduler(QUEUE_NAMES.digests);
    expect(scheduler?.pattern).toBe('30 6 * * 1-5');
    expect(scheduler?.tz).toBe('Europe/London');
    const [next] = await digests.getDelayed();
    expect(next).toBeDefined();
    const due = next!.timestamp + (next!.opts.delay ?? 0);
    expect(londonWeekdayAndTime(new Date(due))).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 06:30$/);
    entries.push(
      { at: new Date(due - 3_600_000), sender: 'often@stmarys-example.sch.uk', action: 'return', categories: ['language/profanity'], rules: ['profanity'] },
      { at: new Date(due - 7_200_000), sender: 'often@stmarys-example.sch.uk', action: 'quarantine', categories: ['language/slur'], rules: ['slur'] },
      // Before any weekday period that ends at `due`, weekend included.
      { at: new Date(due - 5 * 86_400_000), sender: 'old@stmarys-example.sch.uk', action: 'return', categories: ['content/chain-letter'], rules: ['chain-letter'] },
    );
    expect(sink.received).toEqual([]);
    await next!.promote();
    await expect.poll(() => sink.received.length, { timeout: 10_000 }).toBe(2);
    expect(source.calls).toHaveLength(1);
    const [schoolId, since, until] = source.calls[0]!;
    expect(schoolId).toBe('st-marys-example');
    expect(until.getTime()).toBe(due);
    // The previous run: the weekday 06:30 before, a Friday's for a Monday digest.
    expect(londonWeekdayAndTime(since)).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 06:30$/);
    const hours = (until.getTime() - since.getTime()) / 3_600_000;
    expect(londonWeekdayAndTime(until).startsWith('Mon') ? [71, 72, 73] : [23, 24, 25]).toContain(hours);
    const dpo = sink.received.find((mail) => mail.to.includes('dpo@stmarys-example.sch.uk'))!;
    const parsed = await simpleParser(dpo.raw);
    expect(parsed.messageId).toMatch(/^<digest\.st-marys-example-\d{4}-\d{2}-\d{2}\.dpo@stmarys-example\.sch\.uk>$/);
    expect(parsed.text).toContain('- language/profanity: 1\n- language/slur: 1');
    expect(parsed.text).toContain('- often@stmarys-example.sch.uk: 2');
    expect(parsed.text).not.toContain('chain-letter');
  });
});

describe('the retention sweep on the real Redis', () => {
  it('is scheduled hourly and runs the retention handler when it fires', async () => {
    const sink = await startNextHop();
    cleanups.push(() => sink.close());
    const { prefix } = sharedMailQueue(cleanups);
    let sweeps = 0;
    await workersTo(cleanups, sink.url, prefix, { retention: async () => void (sweeps += 1) });
    const retention = inspect(cleanups, QUEUE_NAMES.retention, prefix);
    expect((await retention.getJobScheduler(QUEUE_NAMES.retention))?.pattern).toBe('5 * * * *');
    const [next] = await retention.getDelayed();
    expect(sweeps).toBe(0);
    await next!.promote();
    await expect.poll(() => sweeps, { timeout: 10_000 }).toBe(1);
  });
});
