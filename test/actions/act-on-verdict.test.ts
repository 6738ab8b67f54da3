import { Queue } from 'bullmq';
import { QUEUE_NAMES } from '../../src/queue/queue-names.js';
import { simpleParser } from 'mailparser';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { actOnVerdict, returnReason, type ActionDependencies, type MessageCase } from '../../src/actions/act-on-verdict.js';
import { ActionStepFailed } from '../../src/actions/errors.js';
import { smtpNextHop } from '../../src/delivery/next-hop.js';
import type { Finding } from '../../src/detect/finding.js';
import type { MessageView } from '../../src/message/message-view.js';
import type { Action, Verdict } from '../../src/policy/verdict.js';
import { encryptForRecipients } from '../../src/crypto/encrypt-message.js';
import { bullMailQueue } from '../../src/queue/mail-queue.js';
import { mailSender } from '../../src/queue/mail-sender.js';
import { mailJobId } from '../../src/queue/outgoing-mail.js';
import { startMailWorker } from '../../src/queue/queue-workers.js';
import { auditWriter } from '../../src/store/audit-writer.js';
import { openConfiguredStore } from '../../src/store/configured-store.js';
import { SenderLinks } from '../../src/store/sender-links.js';
import type { Store } from '../../src/store/store.js';
import type { ScanResult } from '../../src/scan/scan-message.js';
import type { SmtpReply } from '../../src/smtp/spooled-message.js';
import { jobData, queuesAt, removePrefix, SHARED_REDIS, startPrivateRedis, uniquePrefix } from '../queue/support/redis.js';
import { startNextHop, type RunningNextHop } from './support/next-hop-server.js';
import { awkwardMessage, spool, spoolDirectory } from './support/spool.js';

const SCHOOL = ['school.sch.uk'];
const SENDER = 'teacher@school.sch.uk';
const PARENT = 'parent@example.org';
const REASON = 'Swearing is not allowed in school email';

const cleanups: (() => Promise<void>)[] = [];

/** The failure of a step the reply waited on: the action gives no reply of its own but the 451 it carries. */
async function stepFailure(acting: Promise<SmtpReply>): Promise<ActionStepFailed> {
  const error: unknown = await acting.then(
    (reply) => new Error(`expected a failed step, got the reply ${reply.code}`),
    (failure: unknown) => failure,
  );
  if (!(error instanceof ActionStepFailed)) throw error;
  return error;
}

async function withheld(acting: Promise<SmtpReply>): Promise<SmtpReply> {
  return (await stepFailure(acting)).reply;
}
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

const DPO = 'dpo@school.sch.uk';

interface Setup {
  readonly deps: ActionDependencies;
  readonly server: RunningNextHop;
  readonly prefix: string;
  readonly store: Store;
  readonly faults: unknown[];
  /** A spooled message and its case, for the verdict given. */
  readonly spooled: (action: Action, from?: string) => Promise<MessageCase>;
}

async function setUp(redisUrl = SHARED_REDIS.url): Promise<Setup> {
  const server = await startNextHop();
  const nextHop = smtpNextHop(server.url);
  const prefix = uniquePrefix();
  const mail = bullMailQueue(queuesAt(redisUrl), { prefix });
  const store = await openConfiguredStore({ data: await mkdtemp(join(tmpdir(), 'hm-act-')) });
  cleanups.push(async () => {
    await mail.close();
    await nextHop.close();
    await server.close();
    await store.close();
    await removePrefix(prefix);
  });
  const directory = await spoolDirectory();
  const faults: unknown[] = [];
  const writer = auditWriter(store.audit, { maxDelayMs: 1, onError: (error) => faults.push(error) });
  const deps: ActionDependencies = {
    nextHop,
    mail,
    quarantine: store.quarantine,
    audit: { record: (entry) => store.audit.append(entry), recordLater: (entry) => writer.write(entry) },
    alertInbox: store.alertInbox,
    alerts: { reviewBaseUrl: 'https://hallmonitor.school.sch.uk', recipientsFor: () => ({ 'business-manager': [], dpo: [DPO], dsl: [] }) },
    encrypt: (raw, envelope) => encryptForRecipients({ raw, envelope, keyring: directory, preAgreed: {}, now: new Date(), kdf: 'iterated' }),
    spoolDirectory: directory,
  };
  let counter = 0;
  const spooled = async (action: Action, from = SENDER): Promise<MessageCase> => {
    const message = await spool(directory, awkwardMessage(), from, [PARENT]);
    counter += 1;
    return {
      message,
      result: scanResult(action, from),
      school: { id: 'school', name: 'The School', domains: SCHOOL },
      key: `key-${counter}`,
      receivedAt: new Date('2026-11-23T09:00:00Z'),
      scanMs: 5,
      actingSince: performance.now(),
    };
  };
  return { deps, server, prefix, store, faults, spooled };
}

/** The same verdict, with an immediate alert to the DPO as well. */
function alerting(each: MessageCase): MessageCase {
  const { verdict } = each.result;
  return { ...each, result: { ...each.result, verdict: { ...verdict, notifications: [...verdict.notifications, { to: 'dpo', level: 'immediate', ruleId: 'profanity' }] } } };
}

async function queued(prefix: string) {
  const queue = new Queue(QUEUE_NAMES.mail, { connection: { url: SHARED_REDIS.url }, prefix });
  cleanups.push(() => queue.close());
  return queue;
}

describe('actOnVerdict', () => {
  it('deliver: relays the message, answers with the next hop’s reply, and audits the verdict with that reply', async () => {
    const { deps, server, store, spooled } = await setUp();
    const reply = await actOnVerdict(deps, await spooled('deliver'));
    expect(reply).toEqual({ code: 250, message: 'Ok: queued as TEST1' });
    expect(server.received).toHaveLength(1);
    await expect.poll(() => store.audit.forMessage('key-1')).toEqual([expect.objectContaining({ action: 'deliver', replyCode: 250 })]);
  });

  it('deliver with an immediate alert: the alert is queued before the message goes; with Redis down, 451 and nothing sent', async () => {
    const { deps, server, prefix, spooled } = await setUp();
    const each = alerting(await spooled('deliver'));
    expect((await actOnVerdict(deps, each)).code).toBe(250);
    expect(jobData(await (await queued(prefix)).getJob(mailJobId('alert', each.key, 'dpo')))?.to).toEqual([DPO]);
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const down = await setUp(redis.url);
    await redis.stop();
    const reply = await withheld(actOnVerdict(down.deps, alerting(await down.spooled('deliver'))));
    expect(reply.code).toBe(451);
    expect(down.server.received).toEqual([]);
    expect(server.received).toHaveLength(1);
  });

  it('return: audits, queues the sender notice, then answers 550 5.7.1 with the deciding rule’s reason, delivering nothing', async () => {
    const { deps, server, prefix, store, spooled } = await setUp();
    const each = await spooled('return');
    const reply = await actOnVerdict(deps, each);
    expect(reply).toEqual({ code: 550, message: `5.7.1 ${REASON}` });
    expect(server.received).toEqual([]);
    const job = await (await queued(prefix)).getJob(mailJobId('sender-notice', each.key));
    expect(jobData(job)?.to).toEqual([SENDER]);
    expect(jobData(job)?.text).toContain(REASON);
    expect(job?.opts.attempts).toBeGreaterThan(1);
    expect(await store.audit.forMessage(each.key)).toEqual([expect.objectContaining({ action: 'return', replyCode: 550 })]);
    expect(await store.incidents.list()).toHaveLength(1);
  });

  it('return with self-service: keeps the message sealed with its audit entry in one step, and the notice links to the sender page', async () => {
    const { deps, prefix, store, spooled } = await setUp();
    const withSelfService: ActionDependencies = {
      ...deps,
      selfService: { returned: store.returned, links: store.senderLinks, linkHours: 72, baseUrl: 'https://hallmonitor.school.sch.uk/' },
    };
    const each = await spooled('return');
    const overridable = {
      ...each,
      key: 'a'.repeat(32),
      result: { ...each.result, verdict: { ...each.result.verdict, rules: each.result.verdict.rules.map((rule) => ({ ...rule, override: 'justification' as const })) } },
    };
    expect((await actOnVerdict(withSelfService, overridable)).code).toBe(550);
    const kept = await store.returned.open(overridable.key);
    expect(kept).toMatchObject({ from: SENDER, rcpt: [PARENT], returnedBy: ['profanity'], overridable: true, encrypt: false, expiresAt: new Date('2026-11-26T09:00:00Z') });
    expect(kept.raw.equals(each.message.bytes ?? (await readFile(each.message.path!)))).toBe(true);
    expect(await store.audit.forMessage(overridable.key)).toEqual([expect.objectContaining({ action: 'return', replyCode: 550 })]);
    const text = jobData(await (await queued(prefix)).getJob(mailJobId('sender-notice', overridable.key)))?.text ?? '';
    const token = /https:\/\/hallmonitor\.school\.sch\.uk\/sender\/(\S+)/.exec(text)?.[1];
    expect(text).toContain('you can send it from this page and say why');
    expect(store.senderLinks.check(SenderLinks.parse(token ?? '')!, SENDER, new Date('2026-11-24T09:00:00Z'))).toBe('valid');

    const notOverridable = { ...(await spooled('return')), key: 'b'.repeat(32) };
    await actOnVerdict(withSelfService, notOverridable);
    expect((await store.returned.find(notOverridable.key))?.overridable).toBe(false);
    const plain = jobData(await (await queued(prefix)).getJob(mailJobId('sender-notice', notOverridable.key)))?.text ?? '';
    expect(plain).toContain('shows what was found and a version you could send instead');
  });

  it('return with the null sender: 550 and no notice, since nobody could receive it', async () => {
    const { deps, prefix, spooled } = await setUp();
    const reply = await actOnVerdict(deps, await spooled('return', ''));
    expect(reply.code).toBe(550);
    expect(await (await queued(prefix)).getWaitingCount()).toBe(0);
  });

  it('return when the queue is down: 451 so the client retries, rather than lose the notice', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const { deps, server, spooled } = await setUp(redis.url);
    await redis.stop();
    const failure = await stepFailure(actOnVerdict(deps, await spooled('return')));
    expect(failure.reply).toEqual({ code: 451, message: '4.3.0 could not queue the notices for this message; try again later' });
    // What the log will name: the queue, not the message.
    expect(failure.cause).toMatchObject({ code: 'notice-queue-unavailable' });
    expect(server.received).toEqual([]);
  });

  it('quarantine: holds the message encrypted, queues the sender’s notice and the alerts, then answers 250; nothing is delivered', async () => {
    const { deps, server, prefix, store, spooled } = await setUp();
    const each = alerting(await spooled('quarantine'));
    const reply = await actOnVerdict(deps, each);
    expect(reply.code).toBe(250);
    expect(reply.message).toMatch(/^2\.6\.0 held for review/);
    expect(server.received).toEqual([]);
    const held = await store.quarantine.open(each.key);
    expect(held).toMatchObject({ status: 'held', from: SENDER, rcpt: [PARENT], ruleIds: ['profanity'], categories: ['language/profanity'] });
    expect(held.raw.equals(awkwardMessage())).toBe(true);
    const queue = await queued(prefix);
    expect(jobData(await queue.getJob(mailJobId('quarantine-notice', each.key)))?.to).toEqual([SENDER]);
    expect(jobData(await queue.getJob(mailJobId('alert', each.key, 'dpo')))?.to).toEqual([DPO]);
    expect(await store.audit.forMessage(each.key)).toEqual([expect.objectContaining({ action: 'quarantine', replyCode: 250 })]);
  });

  it('quarantine of an automatic message (an out-of-office reply): held and the DPO alerted, no notice, and the reply does not say the sender was told', async () => {
    const { deps, server, prefix, store, spooled } = await setUp();
    // Auto-Submitted from a real sender: only `automatic` keeps the notice back.
    const each: MessageCase = { ...alerting(await spooled('quarantine')), automatic: true };
    expect(await actOnVerdict(deps, each)).toEqual({ code: 250, message: '2.6.0 held for review by the Data Protection Officer' });
    expect(server.received).toEqual([]);
    expect(await store.quarantine.open(each.key)).toMatchObject({ status: 'held' });
    const queue = await queued(prefix);
    expect(await queue.getJob(mailJobId('quarantine-notice', each.key))).toBeUndefined();
    expect(jobData(await queue.getJob(mailJobId('alert', each.key, 'dpo')))?.to).toEqual([DPO]);
  });

  it('quarantine retried after a 451 (queue down) holds one record, audits once and queues each notice once', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const { deps, store, spooled } = await setUp(redis.url);
    const each = await spooled('quarantine');
    redis.pause();
    expect((await withheld(actOnVerdict(deps, each))).code).toBe(451);
    redis.resume();
    expect((await actOnVerdict(deps, each)).code).toBe(250);
    expect(await store.quarantine.list()).toHaveLength(1);
    expect(await store.audit.forMessage(each.key)).toHaveLength(1);
  });
});

describe('actOnVerdict: encrypt', () => {
  it('sends the recipient a PDF envelope that holds none of the text, and queues the passphrase for the sender alone', async () => {
    const { deps, server, prefix, store, spooled } = await setUp();
    const each = await spooled('encrypt');
    const reply = await actOnVerdict(deps, each);
    expect(reply).toEqual({ code: 250, message: '2.6.0 sent encrypted (PDF envelope to 1)' });
    expect(server.received).toHaveLength(1);
    const [sent] = server.received;
    expect(sent!.to).toEqual([PARENT]);
    expect(sent!.raw.toString('utf8')).not.toMatch(/Lunch at the caf|a line that starts with a dot|Trip/);
    expect((await simpleParser(sent!.raw)).attachments.map((attachment) => attachment.filename)).toEqual(['secure-message.pdf']);
    const notice = await (await queued(prefix)).getJob(mailJobId('passphrase-notice', `${each.message.id}-0`));
    expect(jobData(notice)?.to).toEqual([SENDER]);
    expect(jobData(notice)?.text).toMatch(/passphrase/);
    await expect.poll(() => store.audit.forMessage(each.key)).toEqual([expect.objectContaining({ action: 'encrypt', replyCode: 250 })]);
  });

  it('answers 451 and sends nothing when the passphrase cannot be queued for the sender', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const { deps, server, spooled } = await setUp(redis.url);
    await redis.stop();
    expect((await withheld(actOnVerdict(deps, await spooled('encrypt')))).code).toBe(451);
    expect(server.received).toEqual([]);
  });
});

describe('a returned message, end to end', () => {
  it('gets a 550, and its notice reaches the sender only at the next hop, in text and HTML', async () => {
    const { deps, server, prefix, spooled } = await setUp();
    const worker = startMailWorker(SHARED_REDIS, mailSender(deps.nextHop, 'postmaster@school.sch.uk'), { prefix });
    cleanups.push(() => worker.close());
    const reply = await actOnVerdict(deps, await spooled('return'));
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
