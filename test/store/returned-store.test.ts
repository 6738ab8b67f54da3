import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enforceRetention } from '../../src/store/retention.js';
import type { ReturnedRecord } from '../../src/store/returned-store.js';
import { SenderLinks } from '../../src/store/sender-links.js';
import type { Store } from '../../src/store/store.js';
import { BODY_PHRASE, inventedRaw, inventedRecord, PUPIL_NAME, verdictEntry } from './support/invented-records.js';
import { createSite, ENGINES, type StoreSite } from './support/store-engines.js';

const SCHOOL = 'st-marys-example';
const SENDER = 'teacher.one@stmarys-example.sch.uk';
const RECEIVED = new Date('2026-11-20T10:00:00.000Z');
const EXPIRES = new Date('2026-11-23T10:00:00.000Z');

function returnedRecord(id: string, overrides: Partial<ReturnedRecord> = {}): ReturnedRecord {
  return {
    id,
    schoolId: SCHOOL,
    receivedAt: RECEIVED,
    envelope: { mailFrom: SENDER, rcptTo: ['parent@example.org'] },
    raw: inventedRaw(),
    ruleIds: ['profanity', 'pupil-data-to-external'],
    returnedBy: ['profanity'],
    overridable: true,
    encrypt: true,
    expiresAt: EXPIRES,
    notice: {
      reasons: [{ reason: 'swearing', clause: 'AUP 4.2' }],
      found: [`${PUPIL_NAME} is named`],
      rewrite: { subject: 'Trip', body: 'ZQ went' },
      moveToBcc: [],
      suggestSecure: false,
    },
    ...overrides,
  };
}

const returnVerdict = () => verdictEntry({ action: 'return', replyCode: 550, ruleIds: ['profanity'], categories: { 'language/profanity': 1 }, sender: SENDER });

describe.each(ENGINES)('returned messages and sender self-service (%s)', (engine) => {
  let site: StoreSite;
  let store: Store;
  beforeEach(async () => {
    site = await createSite(engine);
    store = await site.open();
  });
  afterEach(async () => site.dispose());

  it('keeps a returned message sealed with its verdict entry, once however often it is kept', async () => {
    expect(await store.returned.keep(returnedRecord('a'.repeat(32)), returnVerdict())).toEqual({ created: true });
    expect(await store.returned.keep(returnedRecord('a'.repeat(32)), returnVerdict())).toEqual({ created: false });
    const opened = await store.returned.open('a'.repeat(32));
    expect(opened).toMatchObject({ from: SENDER, returnedBy: ['profanity'], overridable: true, encrypt: true, status: 'returned', expiresAt: EXPIRES });
    expect(opened.raw.toString()).toContain(BODY_PHRASE);
    expect(opened.notice.found).toEqual([`${PUPIL_NAME} is named`]);
    const rows = await site.exec('select raw, notice from returned_bodies');
    expect(JSON.stringify(rows)).not.toContain(PUPIL_NAME);
    expect(Buffer.from(rows[0]!.raw as Buffer).toString('latin1')).not.toContain(BODY_PHRASE);
    const verdicts = await site.exec("select action, reply_code from audit_log where kind = 'verdict'");
    expect(verdicts).toEqual([{ action: 'return', reply_code: 550 }]);
  });

  it('lets one claim of an override win, records it with the reason, and destroys the copy', async () => {
    const id = 'b'.repeat(32);
    await store.returned.keep(returnedRecord(id), returnVerdict());
    const now = new Date('2026-11-21T09:00:00.000Z');
    const claims = await Promise.all([store.returned.claimOverride(id, now), store.returned.claimOverride(id, now)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    await store.returned.finishOverride(id, { delivered: true, justification: 'quoting the pupil in an incident report', at: now, how: 'encrypted' });
    expect(await store.returned.claimOverride(id, now)).toBe(false);
    await expect(store.returned.open(id)).rejects.toMatchObject({ code: 'not-found' });
    expect(await store.returned.listOverrides({ schoolIds: [SCHOOL] })).toMatchObject([
      { id, status: 'sent', justification: 'quoting the pupil in an incident report', returnedBy: ['profanity'] },
    ]);
    expect(await store.returned.listOverrides({ schoolIds: ['another-school'] })).toEqual([]);
    expect(await store.returned.overridesPerRule({})).toEqual([{ ruleId: 'profanity', overrides: 1 }]);
    const audit = await site.exec("select actor, reason from audit_log where action = 'override'");
    expect(audit).toEqual([{ actor: SENDER, reason: 'sent as it was (encrypted) over profanity: quoting the pupil in an incident report' }]);
    expect((await store.audit.verify()).ok).toBe(true);
  });

  it('refuses a claim after the expiry or on a rule that does not allow it, and puts a failed delivery back', async () => {
    const id = 'c'.repeat(32);
    await store.returned.keep(returnedRecord(id), returnVerdict());
    expect(await store.returned.claimOverride(id, EXPIRES)).toBe(false);
    const now = new Date('2026-11-21T09:00:00.000Z');
    expect(await store.returned.claimOverride(id, now)).toBe(true);
    await store.returned.finishOverride(id, { delivered: false, justification: 'x', at: now, how: 'as sent' });
    expect((await store.returned.find(id))?.status).toBe('returned');
    await store.returned.keep(returnedRecord('d'.repeat(32), { overridable: false }), returnVerdict());
    expect(await store.returned.claimOverride('d'.repeat(32), now)).toBe(false);
  });

  it('destroys the copy once the link expired, and the record at the end of the audit period', async () => {
    await store.returned.keep(returnedRecord('e'.repeat(32)), returnVerdict());
    const first = await enforceRetention(store, new Date('2026-11-22T10:00:00.000Z'));
    expect(first.returnedBodiesDestroyed).toBe(0);
    const second = await enforceRetention(store, new Date('2026-11-23T10:00:01.000Z'));
    expect(second.returnedBodiesDestroyed).toBe(1);
    expect(await site.exec('select id from returned_bodies')).toEqual([]);
    expect((await store.returned.find('e'.repeat(32)))?.bodyDestroyed).toBe(true);
    expect((await enforceRetention(store, new Date('2027-12-01T00:00:00.000Z'))).returnedRecordsDeleted).toBe(1);
  });

  it('revokes and restores a rule for a sender, each audited', async () => {
    const at = new Date('2026-11-21T09:00:00.000Z');
    expect(await store.returned.revoke({ schoolId: SCHOOL, sender: 'Teacher.One@stmarys-example.sch.uk', ruleId: 'profanity', actor: 'dpo@x', reason: 'every message', at })).toBe(
      true,
    );
    expect(await store.returned.revoke({ schoolId: SCHOOL, sender: SENDER, ruleId: 'profanity', actor: 'dpo@x', reason: 'again', at })).toBe(false);
    expect(await store.returned.revokedRules(SCHOOL, SENDER)).toEqual(['profanity']);
    expect(await store.returned.revokedRules('another-school', SENDER)).toEqual([]);
    expect(await store.returned.listRevocations({ schoolIds: [] })).toEqual([]);
    expect(await store.returned.restore({ schoolId: SCHOOL, sender: SENDER, ruleId: 'profanity', actor: 'dpo@x', at })).toBe(true);
    expect(await store.returned.revokedRules(SCHOOL, SENDER)).toEqual([]);
    expect((await site.exec("select action from audit_log where action like 'override-%' order by seq")).map((row) => row.action)).toEqual(['override-revoke', 'override-restore']);
  });

  it("records a held message's sender's release request once, as a flag that releases nothing", async () => {
    const { id } = await store.quarantine.hold(inventedRecord({ schoolId: SCHOOL }));
    const at = new Date('2026-11-21T09:00:00.000Z');
    expect(await store.returned.requestRelease({ messageId: id, reason: 'the parent asked for the report', at })).toBe('recorded');
    expect(await store.returned.requestRelease({ messageId: id, reason: 'again', at })).toBe('already-asked');
    expect(await store.quarantine.claimRelease(id)).toBeUndefined();
    expect(await store.returned.listReleaseRequests({ schoolIds: [SCHOOL] })).toMatchObject([{ messageId: id, reason: 'the parent asked for the report', status: 'held' }]);
    await store.quarantine.decide(id, { status: 'rejected', actor: 'dpo@x', reason: 'no' });
    const other = await store.quarantine.hold(inventedRecord({ schoolId: SCHOOL }));
    await store.quarantine.decide(other.id, { status: 'rejected', actor: 'dpo@x', reason: 'no' });
    expect(await store.returned.requestRelease({ messageId: other.id, reason: 'late', at })).toBe('not-held');
  });

  it("signs links bound to the message and the sender that only this store's key checks", async () => {
    const now = new Date('2026-11-21T09:00:00.000Z');
    const token = store.senderLinks.sign('returned', 'f'.repeat(32), SENDER, EXPIRES);
    const link = SenderLinks.parse(token)!;
    expect(link).toMatchObject({ purpose: 'returned', messageId: 'f'.repeat(32), expiresAt: EXPIRES });
    expect(store.senderLinks.check(link, SENDER.toUpperCase(), now)).toBe('valid');
    expect(store.senderLinks.check(link, 'someone.else@stmarys-example.sch.uk', now)).toBe('invalid');
    expect(store.senderLinks.check(link, SENDER, EXPIRES)).toBe('expired');
    const later = SenderLinks.parse(
      token.replace(/\.([0-9a-z]+)\.([^.]+)$/, (_match, seconds: string, mac: string) => `.${(parseInt(seconds, 36) + 86_400).toString(36)}.${mac}`),
    )!;
    expect(store.senderLinks.check(later, SENDER, now)).toBe('invalid');
    expect(store.senderLinks.check({ ...link, purpose: 'held' }, SENDER, now)).toBe('invalid');
    const otherSite = await createSite('sqlite');
    try {
      const otherStore = await otherSite.open();
      expect(otherStore.senderLinks.check(link, SENDER, now)).toBe('invalid');
    } finally {
      await otherSite.dispose();
    }
  });
});
