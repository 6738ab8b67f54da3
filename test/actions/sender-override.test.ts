import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { smtpNextHop } from '../../src/delivery/next-hop.js';
import { sendAsItWas, type OverrideDependencies } from '../../src/actions/sender-override.js';
import { encryptForRecipients } from '../../src/crypto/encrypt-message.js';
import { Queue } from 'bullmq';
import { bullMailQueue } from '../../src/queue/mail-queue.js';
import { QUEUE_NAMES } from '../../src/queue/queue-names.js';
import { jobData, removePrefix, SHARED_REDIS, uniquePrefix } from '../queue/support/redis.js';
import { openConfiguredStore } from '../../src/store/configured-store.js';
import type { ReturnedRecord } from '../../src/store/returned-store.js';
import type { Store } from '../../src/store/store.js';
import { BODY_PHRASE, inventedRaw, verdictEntry } from '../store/support/invented-records.js';
import { startNextHop, type NextHopBehaviour, type RunningNextHop } from './support/next-hop-server.js';
import { spoolDirectory } from './support/spool.js';

const SENDER = 'teacher.one@stmarys-example.sch.uk';
const PARENT = 'parent@example.org';
const NOW = new Date('2026-11-21T09:00:00.000Z');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const DPO_ADDRESS = 'dpo@stmarys-example.sch.uk';
const NOBODY = { 'business-manager': [], dpo: [], dsl: [] };

async function setUp(
  behaviour: NextHopBehaviour = {},
  dpo: readonly string[] = [DPO_ADDRESS],
): Promise<{
  deps: OverrideDependencies;
  server: RunningNextHop;
  store: Store;
  queued: () => Promise<{ readonly id?: string; readonly to?: readonly string[] | undefined; readonly subject?: string; readonly text?: string; readonly html?: string }[]>;
}> {
  const server = await startNextHop(behaviour);
  const nextHop = smtpNextHop(server.url);
  const store = await openConfiguredStore({ data: await mkdtemp(join(tmpdir(), 'hm-override-')) });
  const prefix = uniquePrefix();
  const mail = bullMailQueue(SHARED_REDIS, { prefix });
  const queue = new Queue(QUEUE_NAMES.mail, { connection: { url: 'redis://127.0.0.1:6379' }, prefix });
  cleanups.push(async () => {
    await queue.close();
    await mail.close();
    await nextHop.close();
    await server.close();
    await store.close();
    await removePrefix(prefix);
  });
  const directory = await spoolDirectory();
  const queued = async () =>
    (await queue.getJobs(['waiting', 'delayed', 'active'])).map((job) => jobData<{ id: string; to: string[]; subject: string; text: string; html: string }>(job)!);
  const deps: OverrideDependencies = {
    store,
    nextHop,
    mail,
    encrypt: (raw, envelope) => encryptForRecipients({ raw, envelope, keyring: directory, preAgreed: {}, now: NOW, kdf: 'iterated' }),
    spoolDirectory: directory,
    overrideAlerts: {
      reviewBaseUrl: 'https://review.stmarys-example.sch.uk',
      recipientsFor: () => ({ ...NOBODY, dpo }),
      alertInbox: store.alertInbox,
      describeRule: (_schoolId, ruleId) => (ruleId === 'profanity' ? { description: 'Swearing in a message', clause: 'AUP 4.2' } : undefined),
      schoolName: () => "St Mary's Example",
    },
  };
  return { deps, server, store, queued };
}

function record(id: string, encrypt: boolean): ReturnedRecord {
  return {
    id,
    schoolId: 'st-marys-example',
    receivedAt: new Date('2026-11-20T10:00:00.000Z'),
    envelope: { mailFrom: SENDER, rcptTo: [PARENT] },
    raw: inventedRaw(),
    ruleIds: ['profanity', 'pupil-data-to-external'],
    returnedBy: ['profanity'],
    overridable: true,
    encrypt,
    expiresAt: new Date('2026-11-23T10:00:00.000Z'),
    notice: { reasons: [], found: [], moveToBcc: [], suggestSecure: false },
  };
}

describe('sendAsItWas', () => {
  it('sends the kept message encrypted when a rule that fired wants it, queues the passphrase for the sender, and audits the reason', async () => {
    const { deps, server, store, queued } = await setUp();
    const id = '1'.repeat(32);
    await store.returned.keep(record(id, true), verdictEntry({ action: 'return', replyCode: 550 }));
    expect(await sendAsItWas(deps, id, { category: 'other', reason: 'the parent asked for it' }, NOW)).toEqual({ kind: 'sent', encrypted: true, dpoTold: true });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.to).toEqual([PARENT]);
    expect(server.received[0]!.raw.toString('utf8')).not.toContain(BODY_PHRASE);
    expect((await queued()).map((queuedMail) => queuedMail.to).sort()).toEqual([[DPO_ADDRESS], [SENDER]]);
    expect((await store.returned.find(id))?.status).toBe('sent');
    const entries = await store.audit.forMessage(id);
    expect(entries.at(-1)).toMatchObject({ kind: 'human', action: 'override', actor: SENDER, reason: 'sent as it was (encrypted) over profanity: the parent asked for it' });
    expect(await sendAsItWas(deps, id, { category: 'urgent', reason: 'again' }, NOW)).toEqual({ kind: 'unavailable' });
    expect(server.received).toHaveLength(1);
  });

  it('sends it exactly as received when no rule asks for encryption', async () => {
    const { deps, server, store } = await setUp();
    const id = '2'.repeat(32);
    await store.returned.keep(record(id, false), verdictEntry({ action: 'return', replyCode: 550 }));
    expect(await sendAsItWas(deps, id, { category: 'false-alarm', reason: 'a false alarm' }, NOW)).toEqual({ kind: 'sent', encrypted: false, dpoTold: true });
    expect(server.received[0]!.raw.toString('utf8')).toContain(BODY_PHRASE);
  });

  it('puts the message back when the next hop refuses it, so the link can be used again, and records no override', async () => {
    const { deps, store } = await setUp({ refuseMessage: 451 });
    const id = '3'.repeat(32);
    await store.returned.keep(record(id, false), verdictEntry({ action: 'return', replyCode: 550 }));
    const outcome = await sendAsItWas(deps, id, { category: 'urgent', reason: 'urgent' }, NOW);
    expect(outcome.kind).toBe('not-taken');
    expect((await store.returned.find(id))?.status).toBe('returned');
    expect((await store.audit.forMessage(id)).some((entry) => entry.action === 'override')).toBe(false);
    expect(await store.alertInbox.count()).toBe(0);
  });

  it("tells the DPO through the alerts inbox and an alert job in Redis: the rule, the sender, the time and the reason's category, never the message or the sender's words", async () => {
    const { deps, store, queued } = await setUp();
    const id = '4'.repeat(32);
    await store.returned.keep(record(id, false), verdictEntry({ action: 'return', replyCode: 550 }));
    const words = 'Quillfeather said it herself';
    expect(await sendAsItWas(deps, id, { category: 'quotation', reason: `It quotes someone's own words, as a record: ${words}` }, NOW)).toMatchObject({
      kind: 'sent',
      dpoTold: true,
    });

    const [alert, ...others] = await store.alertInbox.list();
    expect(others).toEqual([]);
    expect(alert).toMatchObject({
      id: `alert.${id}-override.dpo`,
      messageId: id,
      role: 'dpo',
      level: 'immediate',
      emailed: true,
      action: 'override',
      rules: [{ id: 'profanity', description: 'Swearing in a message', clause: 'AUP 4.2' }],
      sender: SENDER,
      recipientDomains: ['example.org'],
      justificationCategory: 'quotation',
      status: 'open',
    });
    expect(alert!.at.toISOString()).toBe(NOW.toISOString());

    const mails = await queued();
    const mail = mails.find((queuedMail) => queuedMail.to?.includes(DPO_ADDRESS));
    expect(mail?.id).toBe(`alert.${id}-override.dpo`);
    expect(mail?.subject).toBe("Hallmonitor: a sender overrode profanity (St Mary's Example)");
    for (const expected of ['profanity: Swearing in a message (AUP 4.2)', SENDER, 'a quotation kept as a record', 'example.org', 'https://review.stmarys-example.sch.uk/overrides'])
      expect(mail?.text).toContain(expected);
    for (const part of [mail?.text, mail?.html, JSON.stringify(alert)]) {
      expect(part).not.toContain(BODY_PHRASE);
      expect(part).not.toContain(words);
      expect(part).not.toContain(PARENT);
    }
  });

  it('records the alert in the inbox alone when the DPO has no address, so the review app still shows it', async () => {
    const { deps, store, queued } = await setUp({}, []);
    const id = '5'.repeat(32);
    await store.returned.keep(record(id, false), verdictEntry({ action: 'return', replyCode: 550 }));
    expect(await sendAsItWas(deps, id, { category: 'false-alarm', reason: 'a false alarm' }, NOW)).toMatchObject({ kind: 'sent', dpoTold: true });
    expect((await store.alertInbox.list()).map((alert) => [alert.action, alert.emailed])).toEqual([['override', false]]);
    expect((await queued()).some((queuedMail) => queuedMail.id?.startsWith('alert.'))).toBe(false);
  });
});
