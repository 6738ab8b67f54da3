import { Queue } from 'bullmq';
import { QUEUE_NAMES } from '../../src/queue/queue-names.js';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { actOnVerdict, returnReason, type ActionDependencies } from '../../src/actions/act-on-verdict.js';
import { smtpNextHop } from '../../src/actions/next-hop.js';
import type { Finding } from '../../src/detect/finding.js';
import type { MessageView } from '../../src/message/message-view.js';
import type { Action, Verdict } from '../../src/policy/verdict.js';
import { bullNoticeQueue, noticeJobId, noticeSender, startNoticeWorker } from '../../src/queue/notice-queue.js';
import type { ScanResult } from '../../src/scan/scan-message.js';
import type { SpooledMessage } from '../../src/smtp/spooled-message.js';
import { removePrefix, SHARED_REDIS, startPrivateRedis, uniquePrefix } from '../queue/support/redis.js';
import { startNextHop, type RunningNextHop } from './support/next-hop-server.js';
import { awkwardMessage, spool, spoolDirectory } from './support/spool.js';

const SCHOOL = ['school.sch.uk'];
const SENDER = 'teacher@school.sch.uk';
const PARENT = 'parent@example.org';
const REASON = 'Swearing is not allowed in school email';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SWEAR: Finding = {
  detector: 'language',
  category: 'language/profanity',
  severity: 'medium',
  location: { part: 'body' },
  match: 'bloody',
  span: { start: 9, end: 15 },
  explanation: 'The message contains swearing.',
  suggestion: 'remove the word',
};

function scanResult(action: Action, mailFrom = SENDER): ScanResult {
  const body = 'It was a bloody good trip.';
  const view: MessageView = {
    messageId: '<t@school.sch.uk>',
    subject: 'Trip',
    from: { address: SENDER, displayName: 'Ms Teacher' },
    to: [{ address: PARENT, displayName: '' }],
    cc: [],
    bcc: [],
    pieces: [
      { location: { part: 'subject' }, text: 'Trip' },
      { location: { part: 'body' }, text: body },
    ],
    attachments: [],
    problems: [],
  };
  const verdict: Verdict = {
    action,
    findings: [SWEAR],
    notifications: [{ to: 'sender', level: 'immediate', ruleId: 'profanity' }],
    rules: [{ id: 'profanity', action, description: 'swearing', clause: 'AUP 3.1', reason: REASON, findings: [SWEAR] }],
  };
  return { view, envelope: { mailFrom, rcptTo: [PARENT] }, findings: [SWEAR], verdict };
}

async function setUp(redisUrl = SHARED_REDIS.url): Promise<{ deps: ActionDependencies; server: RunningNextHop; prefix: string; message: (from?: string) => Promise<SpooledMessage> }> {
  const server = await startNextHop();
  const nextHop = smtpNextHop(server.url);
  const prefix = uniquePrefix();
  const notices = bullNoticeQueue({ url: redisUrl }, { prefix });
  cleanups.push(async () => {
    await notices.close();
    await nextHop.close();
    await server.close();
    await removePrefix(prefix);
  });
  const directory = await spoolDirectory();
  return { deps: { nextHop, notices }, server, prefix, message: (from = SENDER) => spool(directory, awkwardMessage(), from, [PARENT]) };
}

async function queued(prefix: string) {
  const queue = new Queue(QUEUE_NAMES.mail, { connection: { url: SHARED_REDIS.url }, prefix });
  cleanups.push(() => queue.close());
  return queue;
}

describe('actOnVerdict', () => {
  it('deliver: relays the message and answers with the next hop’s reply', async () => {
    const { deps, server, message } = await setUp();
    const reply = await actOnVerdict(deps, await message(), scanResult('deliver'), SCHOOL);
    expect(reply).toEqual({ code: 250, message: 'Ok: queued as TEST1' });
    expect(server.received).toHaveLength(1);
  });

  it('return: queues the sender notice, then answers 550 5.7.1 with the deciding rule’s reason, delivering nothing', async () => {
    const { deps, server, prefix, message } = await setUp();
    const spooled = await message();
    const reply = await actOnVerdict(deps, spooled, scanResult('return'), SCHOOL);
    expect(reply).toEqual({ code: 550, message: `5.7.1 ${REASON}` });
    expect(server.received).toEqual([]);
    const job = await (await queued(prefix)).getJob(noticeJobId(spooled.id));
    expect(job?.data.to).toEqual([SENDER]);
    expect(job?.data.text).toContain(REASON);
    expect(job?.opts.attempts).toBeGreaterThan(1);
    expect(job?.opts.removeOnComplete).toEqual({ age: 86_400, count: 10_000 });
  });

  it('return with the null sender: 550 and no notice, since nobody could receive it', async () => {
    const { deps, prefix, message } = await setUp();
    const spooled = await message('');
    const reply = await actOnVerdict(deps, spooled, scanResult('return', ''), SCHOOL);
    expect(reply.code).toBe(550);
    expect(await (await queued(prefix)).getWaitingCount()).toBe(0);
  });

  it('return when the notice queue is down: 451 so the client retries, rather than lose the notice', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const { deps, server, message } = await setUp(redis.url);
    await redis.stop();
    const reply = await actOnVerdict(deps, await message(), scanResult('return'), SCHOOL);
    expect(reply).toEqual({ code: 451, message: '4.3.0 could not queue the notice to the sender; try again later' });
    expect(server.received).toEqual([]);
  });

  for (const action of ['encrypt', 'quarantine'] as const) {
    it(`${action}: holds the message with 451 4.7.0 and never delivers it unprotected`, async () => {
      const { deps, server, prefix, message } = await setUp();
      const reply = await actOnVerdict(deps, await message(), scanResult(action), SCHOOL);
      expect(reply.code).toBe(451);
      expect(reply.message).toMatch(/^4\.7\.0 held: /);
      expect(server.received).toEqual([]);
      expect(await (await queued(prefix)).getWaitingCount()).toBe(0);
    });
  }
});

describe('a returned message, end to end', () => {
  it('gets a 550, and its notice reaches the sender only at the next hop, in text and HTML', async () => {
    const { deps, server, prefix, message } = await setUp();
    const worker = startNoticeWorker(SHARED_REDIS, noticeSender(deps.nextHop, 'postmaster@school.sch.uk', { spoolDirectory: await spoolDirectory() }), { prefix });
    cleanups.push(() => worker.close());
    const reply = await actOnVerdict(deps, await message(), scanResult('return'), SCHOOL);
    expect(reply.code).toBe(550);
    await expect.poll(() => server.received.length, { timeout: 10_000 }).toBe(1);
    const [notice] = server.received;
    expect(notice!.to).toEqual([SENDER]);
    const parsed = await simpleParser(notice!.raw);
    expect(parsed.from?.text).toBe('postmaster@school.sch.uk');
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : '').toBe(SENDER);
    expect(parsed.subject).toBe('Hallmonitor: your message was not sent');
    expect(parsed.text).toContain(REASON);
    expect(parsed.html).toContain(REASON);
    expect(parsed.text).toContain('It was a [removed] good trip.');
  });
});

describe('returnReason', () => {
  it('is one printable line, cut to a sensible length, with a fallback when the rule gave none', () => {
    const verdict = (reason: string): Verdict => ({ ...scanResult('return').verdict, rules: [{ ...scanResult('return').verdict.rules[0]!, reason }] });
    expect(returnReason(verdict('Line one\r\nline two'))).toBe('Line one line two');
    expect(returnReason(verdict('x'.repeat(500))).length).toBe(200);
    expect(returnReason(verdict(''))).toBe('refused by school email policy');
  });
});
