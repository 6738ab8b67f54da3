import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { smtpNextHop } from '../../src/delivery/next-hop.js';
import { DecisionRefused, deleteHeldMessage, rejectHeldMessage, releaseHeldMessage, requestRelease, type ReleaseDependencies } from '../../src/actions/quarantine-decisions.js';
import { encryptForRecipients } from '../../src/crypto/encrypt-message.js';
import { bullMailQueue, type MailQueue } from '../../src/queue/mail-queue.js';
import { mailJobId } from '../../src/queue/outgoing-mail.js';
import { QUEUE_NAMES } from '../../src/queue/queue-names.js';
import { startQueueWorkers } from '../../src/queue/queue-workers.js';
import { openConfiguredStore } from '../../src/store/configured-store.js';
import { jobData, removePrefix, SHARED_REDIS, uniquePrefix } from '../queue/support/redis.js';
import { inventedRaw, inventedRecord, verdictEntry } from '../store/support/invented-records.js';
import { startNextHop, type NextHopBehaviour, type RunningNextHop } from './support/next-hop-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(behaviour: NextHopBehaviour = {}): Promise<{ deps: ReleaseDependencies; server: RunningNextHop; queue: Queue; prefix: string; mail: MailQueue }> {
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
  return { deps: { store, nextHop, mail, encrypt, spoolDirectory: data }, server, queue, prefix, mail };
}

const DPO = 'dpo@stmarys-example.sch.uk';

/** The reviewer's request as the review app and the CLI record it, then the job's run. */
async function release(deps: ReleaseDependencies, encrypt: boolean): Promise<void> {
  await deps.store.quarantine.requestRelease('held-1', { actor: DPO, encrypt });
  await releaseHeldMessage(deps, { messageId: 'held-1' });
}

describe('releasing a held message', () => {
  it('delivers the original bytes to the original recipients, then marks it released and tells the sender', async () => {
    const { deps, server, queue } = await setUp();
    await release(deps, false);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.raw.equals(inventedRaw())).toBe(true);
    expect(server.received[0]!.to).toEqual(['parent@example.org', 'other@example.net']);
    expect((await deps.store.quarantine.open('held-1')).status).toBe('released');
    expect(jobData(await queue.getJob(mailJobId('release-notice', 'held-1')))?.to).toEqual(['teacher.one@stmarys-example.sch.uk']);
    const audit = await deps.store.audit.forMessage('held-1');
    expect(audit.map((entry) => [entry.action, entry.reason])).toEqual([
      ['quarantine', null],
      ['release', 'requested'],
      ['release', 'delivered as sent'],
    ]);
  });

  it('encrypted when the reviewer asks: the recipients get envelopes without the text, the sender the passphrase', async () => {
    const { deps, server, queue } = await setUp();
    await release(deps, true);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.raw.toString('latin1')).not.toContain('periwinkle');
    expect((await deps.store.quarantine.open('held-1')).status).toBe('released');
    const passphrases = (await queue.getJobs(['waiting'])).filter((job) => jobData(job)!.kind === 'passphrase-notice');
    expect(passphrases.map((job) => jobData(job)!.to)).toEqual([['teacher.one@stmarys-example.sch.uk']]);
  });

  it('is a no-op the second time (a retried job delivers once)', async () => {
    const { deps, server } = await setUp();
    await release(deps, false);
    await releaseHeldMessage(deps, { messageId: 'held-1' });
    expect(server.received).toHaveLength(1);
  });

  it("does nothing for a job nobody asked for: the request is the store's, not the job's", async () => {
    const { deps, server } = await setUp();
    await releaseHeldMessage(deps, { messageId: 'held-1' });
    expect(server.received).toEqual([]);
    expect((await deps.store.quarantine.find('held-1'))?.status).toBe('held');
  });

  it('stays held and throws to be retried when the next hop defers', async () => {
    const { deps } = await setUp({ refuseMessage: 451 });
    await expect(release(deps, false)).rejects.toBeInstanceOf(DecisionRefused);
    expect((await deps.store.quarantine.open('held-1')).status).toBe('held');
  });
});

describe('the release races', () => {
  it('"release encrypted" after a deferred plain release: the retry goes encrypted, and the audit says so', async () => {
    const deferring = await setUp({ refuseMessage: 451 });
    await expect(release(deferring.deps, false)).rejects.toBeInstanceOf(DecisionRefused);
    // The DPO changes their mind while the plain release waits for its retry (the same job, the same id).
    await requestRelease({ store: deferring.deps.store, mail: deferring.mail }, 'held-1', { actor: DPO, encrypt: true, reason: 'on reflection' });
    const accepting = await startNextHop();
    const nextHop = smtpNextHop(accepting.url);
    cleanups.push(async () => {
      await nextHop.close();
      await accepting.close();
    });
    await releaseHeldMessage({ ...deferring.deps, nextHop }, { messageId: 'held-1' });
    expect(accepting.received).toHaveLength(1);
    expect(accepting.received[0]!.raw.toString('latin1')).not.toContain('periwinkle');
    const audit = await deferring.deps.store.audit.forMessage('held-1');
    expect(audit.at(-1)).toMatchObject({ action: 'release', reason: 'delivered encrypted' });
  });

  it('a later plain request does not undo an encrypted one', async () => {
    const { deps, server } = await setUp();
    await deps.store.quarantine.requestRelease('held-1', { actor: DPO, encrypt: true });
    await release(deps, false);
    expect(server.received[0]!.raw.toString('latin1')).not.toContain('periwinkle');
  });

  it('a delete while the release is in flight is refused, and the audit records the release, not a delete', async () => {
    let letItThrough = () => undefined as void;
    const through = new Promise<void>((resolve) => (letItThrough = resolve));
    const { deps, server } = await setUp({ acceptWhen: () => through });
    await deps.store.quarantine.requestRelease('held-1', { actor: DPO, encrypt: false });
    const releasing = releaseHeldMessage(deps, { messageId: 'held-1' });
    await expect.poll(async () => (await deps.store.quarantine.find('held-1'))?.status).toBe('releasing');
    await expect(deleteHeldMessage(deps, 'held-1', { actor: DPO, reason: 'it must not go' })).rejects.toThrow(/is releasing, not held/);
    await expect(rejectHeldMessage(deps, 'held-1', { actor: DPO, reason: 'no' })).rejects.toThrow(/is releasing, not held/);
    letItThrough();
    await releasing;
    expect(server.received).toHaveLength(1);
    expect((await deps.store.quarantine.find('held-1'))?.status).toBe('released');
    const actions = (await deps.store.audit.forMessage('held-1')).map((entry) => entry.action);
    expect(actions).toEqual(['quarantine', 'release', 'release']);
  });

  it('a delete after a deferred try wins, and the retry then sends nothing', async () => {
    const { deps, server } = await setUp({ refuseMessage: 451 });
    await expect(release(deps, false)).rejects.toBeInstanceOf(DecisionRefused);
    await deleteHeldMessage(deps, 'held-1', { actor: DPO, reason: 'it must not go' });
    await releaseHeldMessage(deps, { messageId: 'held-1' });
    expect(server.received).toEqual([]);
    expect((await deps.store.quarantine.find('held-1'))?.status).toBe('deleted');
  });
});

describe('the release race through the real queue and worker', () => {
  it('a second "release encrypted" while the plain job waits for its retry is what the worker delivers', async () => {
    const deferring = await setUp({ refuseMessage: 451 });
    const accepting = await startNextHop();
    const acceptingHop = smtpNextHop(accepting.url);
    let nextHop = deferring.deps.nextHop;
    const workers = await startQueueWorkers(
      SHARED_REDIS,
      { send: async () => undefined, release: (request) => releaseHeldMessage({ ...deferring.deps, nextHop }, request) },
      { prefix: deferring.prefix, mailQueue: { backoffMs: 500 } },
    );
    cleanups.push(async () => {
      await workers.close();
      await acceptingHop.close();
      await accepting.close();
    });
    const mail = bullMailQueue(SHARED_REDIS, { prefix: deferring.prefix, backoffMs: 1_500 });
    cleanups.push(() => mail.close());
    await requestRelease({ store: deferring.deps.store, mail }, 'held-1', { actor: DPO, encrypt: false });
    const releases = new Queue(QUEUE_NAMES.releases, { connection: { url: SHARED_REDIS.url }, prefix: deferring.prefix });
    cleanups.push(() => releases.close());
    await expect.poll(async () => (await releases.getJob('release.held-1'))?.attemptsMade, { timeout: 10_000 }).toBe(1);
    await requestRelease({ store: deferring.deps.store, mail }, 'held-1', { actor: DPO, encrypt: true });
    nextHop = acceptingHop;
    await expect.poll(() => accepting.received.length, { timeout: 15_000 }).toBe(1);
    expect(accepting.received[0]!.raw.toString('latin1')).not.toContain('periwinkle');
    await expect.poll(async () => (await deferring.deps.store.quarantine.find('held-1'))?.status).toBe('released');
  });
});

describe('rejecting a held message', () => {
  it('marks it rejected with the reason in the audit log and sends the sender a notice with the reason', async () => {
    const { deps, server, queue } = await setUp();
    await rejectHeldMessage(deps, 'held-1', { actor: 'dpo@stmarys-example.sch.uk', reason: 'Please use initials and send it again.' });
    expect(server.received).toEqual([]);
    expect((await deps.store.quarantine.open('held-1')).status).toBe('rejected');
    const notice = await queue.getJob(mailJobId('rejection-notice', 'held-1'));
    expect(jobData(notice)?.text).toContain('Please use initials and send it again.');
    await expect(rejectHeldMessage(deps, 'held-1', { actor: 'dpo', reason: '' })).rejects.toThrow(/is rejected, not held/);
  });
});
