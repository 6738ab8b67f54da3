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

async function setUp(behaviour: NextHopBehaviour = {}): Promise<{ deps: OverrideDependencies; server: RunningNextHop; store: Store; queued: () => Promise<{ readonly to?: readonly string[] | undefined }[]> }> {
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
  const queued = async () => (await queue.getJobs(['waiting', 'delayed', 'active'])).map((job) => jobData(job)!);
  const deps: OverrideDependencies = {
    store,
    nextHop,
    mail,
    encrypt: (raw, envelope) => encryptForRecipients({ raw, envelope, keyring: directory, preAgreed: {}, now: NOW, kdf: 'iterated' }),
    spoolDirectory: directory,
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
    expect(await sendAsItWas(deps, id, 'the parent asked for it', NOW)).toEqual({ kind: 'sent', encrypted: true });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.to).toEqual([PARENT]);
    expect(server.received[0]!.raw.toString('utf8')).not.toContain(BODY_PHRASE);
    expect((await queued()).map((queuedMail) => queuedMail.to)).toEqual([[SENDER]]);
    expect((await store.returned.find(id))?.status).toBe('sent');
    const entries = await store.audit.forMessage(id);
    expect(entries.at(-1)).toMatchObject({ kind: 'human', action: 'override', actor: SENDER, reason: 'sent as it was (encrypted) over profanity: the parent asked for it' });
    expect(await sendAsItWas(deps, id, 'again', NOW)).toEqual({ kind: 'unavailable' });
    expect(server.received).toHaveLength(1);
  });

  it('sends it exactly as received when no rule asks for encryption', async () => {
    const { deps, server, store } = await setUp();
    const id = '2'.repeat(32);
    await store.returned.keep(record(id, false), verdictEntry({ action: 'return', replyCode: 550 }));
    expect(await sendAsItWas(deps, id, 'a false alarm', NOW)).toEqual({ kind: 'sent', encrypted: false });
    expect(server.received[0]!.raw.toString('utf8')).toContain(BODY_PHRASE);
  });

  it('puts the message back when the next hop refuses it, so the link can be used again, and records no override', async () => {
    const { deps, store } = await setUp({ refuseMessage: 451 });
    const id = '3'.repeat(32);
    await store.returned.keep(record(id, false), verdictEntry({ action: 'return', replyCode: 550 }));
    const outcome = await sendAsItWas(deps, id, 'urgent', NOW);
    expect(outcome.kind).toBe('not-taken');
    expect((await store.returned.find(id))?.status).toBe('returned');
    expect((await store.audit.forMessage(id)).some((entry) => entry.action === 'override')).toBe(false);
  });
});
