import { resolve } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { digestMails, digestRoles, type DigestSchool, type DigestSource, type DigestSummary } from '../../src/queue/digest.js';
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
  topRules: [{ id: 'pupil-name-to-external', count: 5 }, { id: 'profanity', count: 3 }],
  sendersNeedingTraining: [{ sender: 'often@stmarys-example.sch.uk', count: 4 }, { sender: 'once@stmarys-example.sch.uk', count: 1 }],
  digestNotifications: 7,
};

const PERIOD = { since: new Date('2026-11-22T07:00:00Z'), until: new Date('2026-11-23T07:00:00Z') };

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
    const quiet: DigestSummary = { verdicts: {}, categories: {}, topRules: [], sendersNeedingTraining: [{ sender: 'once@stmarys-example.sch.uk', count: 1 }], digestNotifications: 0 };
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

/** A small audit log in memory, counted as the store will count it: by time, action, category, rule and sender. */
function auditLog(entries: readonly { at: Date; sender: string; action: 'deliver' | 'return' | 'quarantine'; categories: string[]; rules: string[] }[]): DigestSource & { calls: [string, Date, Date][] } {
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

describe('the daily digest on the real Redis', () => {
  it('declares its cron schedule, and when the scheduled job fires, counts the past day and emails each role once', async () => {
    const sink = await startNextHop();
    cleanups.push(() => sink.close());
    const { prefix } = sharedMailQueue(cleanups);
    const now = Date.now();
    const source = auditLog([
      { at: new Date(now - 3_600_000), sender: 'often@stmarys-example.sch.uk', action: 'return', categories: ['language/profanity'], rules: ['profanity'] },
      { at: new Date(now - 7_200_000), sender: 'often@stmarys-example.sch.uk', action: 'quarantine', categories: ['language/slur'], rules: ['slur'] },
      { at: new Date(now - 3 * 86_400_000), sender: 'old@stmarys-example.sch.uk', action: 'return', categories: ['content/chain-letter'], rules: ['chain-letter'] },
    ]);
    await workersTo(cleanups, sink.url, prefix, { digest: { source, schools: [SCHOOL], options: { trainingThreshold: 2 } } }, { digestSchedule: { pattern: '30 6 * * 1-5', timezone: 'Europe/London' } });
    const digests = inspect(cleanups, QUEUE_NAMES.digests, prefix);
    const scheduler = await digests.getJobScheduler(QUEUE_NAMES.digests);
    expect(scheduler?.pattern).toBe('30 6 * * 1-5');
    expect(scheduler?.tz).toBe('Europe/London');
    const [next] = await digests.getDelayed();
    expect(next).toBeDefined();
    expect(sink.received).toEqual([]);
    await next!.promote();
    await expect.poll(() => sink.received.length, { timeout: 10_000 }).toBe(2);
    expect(source.calls).toHaveLength(1);
    const [schoolId, since, until] = source.calls[0]!;
    expect(schoolId).toBe('st-marys-example');
    expect(until.getTime() - since.getTime()).toBe(86_400_000);
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
