import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { smtpNextHop } from '../../src/actions/next-hop.js';
import { DecisionRefused, rejectHeldMessage, releaseHeldMessage, type ReleaseDependencies } from '../../src/actions/quarantine-decisions.js';
import { encryptForRecipients } from '../../src/crypto/encrypt-message.js';
import { bullMailQueue } from '../../src/queue/mail-queue.js';
import { mailJobId } from '../../src/queue/outgoing-mail.js';
import { QUEUE_NAMES } from '../../src/queue/queue-names.js';
import { openConfiguredStore } from '../../src/store/configured-store.js';
import { removePrefix, SHARED_REDIS, uniquePrefix } from '../queue/support/redis.js';
import { inventedRaw, inventedRecord, verdictEntry } from '../store/support/invented-records.js';
import { startNextHop, type NextHopBehaviour, type RunningNextHop } from './support/next-hop-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(behaviour: NextHopBehaviour = {}): Promise<{ deps: ReleaseDependencies; server: RunningNextHop; queue: Queue }> {
  const server = await startNextHop(behaviour);
  const nextHop = smtpNextHop(server.url);
  const prefix = uniquePrefix();
  const mail = bullMailQueue(SHARED_REDIS, { prefix });
  const data = await mkdtemp(join(tmpdir(), 'hm-release-'));
  const store = await openConfiguredStore({ data });
  const queue = new Queue(QUEUE_NAMES.mail, { connection: { url: SHARED_REDIS.url }, prefix });
  cleanups.push(async () => {
    await queue.close();
    await mail.close();
    await nextHop.close();
    await server.close();
    await store.close();
    await removePrefix(prefix);
  });
  await store.quarantine.hold({ ...inventedRecord(), id: 'held-1' }, verdictEntry({ messageId: 'held-1' }));
  const encrypt: ReleaseDependencies['encrypt'] = (raw, envelope) => encryptForRecipients({ raw, envelope, keyring: data, preAgreed: {}, now: new Date(), kdf: 'iterated' });
  return { deps: { store, nextHop, mail, encrypt, spoolDirectory: data }, server, queue };
}

describe('releasing a held message', () => {
  it('delivers the original bytes to the original recipients, then marks it released and tells the sender', async () => {
    const { deps, server, queue } = await setUp();
    await releaseHeldMessage(deps, { messageId: 'held-1', encrypt: false, actor: 'dpo@stmarys-example.sch.uk' });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.raw.equals(inventedRaw())).toBe(true);
    expect(server.received[0]!.to).toEqual(['parent@example.org', 'other@example.net']);
    expect((await deps.store.quarantine.open('held-1')).status).toBe('released');
    expect((await queue.getJob(mailJobId('release-notice', 'held-1')))?.data.to).toEqual(['teacher.one@stmarys-example.sch.uk']);
    const audit = await deps.store.audit.forMessage('held-1');
    expect(audit.map((entry) => entry.action)).toEqual(['quarantine', 'release']);
  });

  it('encrypted when the reviewer asks: the recipients get envelopes without the text, the sender the passphrase', async () => {
    const { deps, server, queue } = await setUp();
    await releaseHeldMessage(deps, { messageId: 'held-1', encrypt: true, actor: 'dpo@stmarys-example.sch.uk' });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.raw.toString('latin1')).not.toContain('periwinkle');
    expect((await deps.store.quarantine.open('held-1')).status).toBe('released');
    const passphrases = (await queue.getJobs(['waiting'])).filter((job) => job.data.kind === 'passphrase-notice');
    expect(passphrases.map((job) => job.data.to)).toEqual([['teacher.one@stmarys-example.sch.uk']]);
  });

  it('is a no-op the second time (a retried job delivers once)', async () => {
    const { deps, server } = await setUp();
    const request = { messageId: 'held-1', encrypt: false, actor: 'dpo@stmarys-example.sch.uk' };
    await releaseHeldMessage(deps, request);
    await releaseHeldMessage(deps, request);
    expect(server.received).toHaveLength(1);
  });

  it('stays held and throws to be retried when the next hop defers', async () => {
    const { deps } = await setUp({ refuseMessage: 451 });
    await expect(releaseHeldMessage(deps, { messageId: 'held-1', encrypt: false, actor: 'dpo' })).rejects.toBeInstanceOf(DecisionRefused);
    expect((await deps.store.quarantine.open('held-1')).status).toBe('held');
  });
});

describe('rejecting a held message', () => {
  it('marks it rejected with the reason in the audit log and sends the sender a notice with the reason', async () => {
    const { deps, server, queue } = await setUp();
    await rejectHeldMessage(deps, 'held-1', { actor: 'dpo@stmarys-example.sch.uk', reason: 'Please use initials and send it again.' });
    expect(server.received).toEqual([]);
    expect((await deps.store.quarantine.open('held-1')).status).toBe('rejected');
    const notice = await queue.getJob(mailJobId('rejection-notice', 'held-1'));
    expect(notice?.data.text).toContain('Please use initials and send it again.');
    await expect(rejectHeldMessage(deps, 'held-1', { actor: 'dpo', reason: '' })).rejects.toThrow(/is rejected, not held/);
  });
});
