import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { termOf } from '../../src/store/false-positives.js';
import { enforceRetention } from '../../src/store/retention.js';
import type { Store } from '../../src/store/store.js';
import { BODY_PHRASE, HEALTH_FINDING, inventedRaw, inventedRecord, PUPIL_FINDING, PUPIL_NAME, SUBJECT_PHRASE, verdictEntry } from './support/invented-records.js';
import { createSite, ENGINES, type StoreSite } from './support/store-engines.js';
import { undoActivity } from './support/undo-migrations.js';

const SCHOOL = 'st-marys-example';
const OTHER_SCHOOL = 'oak-lane-example';
const TEACHER = 'teacher.one@stmarys-example.sch.uk';
const COLLEAGUE = 'teacher.two@stmarys-example.sch.uk';
const DPO = 'dpo@stmarys-example.sch.uk';
const at = (day: number, hour = 10) => new Date(Date.UTC(2026, 10, day, hour));

/** Writes a small history: clean mail, findings delivered, encrypted, returned and overridden, held and released. */
async function history(store: Store): Promise<void> {
  await store.audit.appendAll([
    verdictEntry({ messageId: 'clean', action: 'deliver', ruleIds: [], categories: {}, at: at(2) }),
    verdictEntry({ messageId: 'noted', action: 'deliver', ruleIds: [], categories: { 'person-name': 1 }, at: at(3) }),
    verdictEntry({ messageId: 'sealed', action: 'encrypt', ruleIds: ['health-external'], categories: { 'sensitive/health': 2 }, sender: COLLEAGUE, at: at(4) }),
    verdictEntry({ messageId: 'elsewhere', schoolId: OTHER_SCHOOL, action: 'encrypt', ruleIds: ['health-external'], categories: { 'sensitive/health': 1 }, at: at(4, 11) }),
  ]);
  await store.returned.keep(
    {
      id: 'sworn',
      schoolId: SCHOOL,
      receivedAt: at(5),
      envelope: { mailFrom: 'Teacher.One@stmarys-example.sch.uk', rcptTo: ['parent@example.org'] },
      raw: inventedRaw(),
      ruleIds: ['profanity'],
      returnedBy: ['profanity'],
      overridable: true,
      encrypt: false,
      expiresAt: at(8),
      notice: { reasons: [], found: [], moveToBcc: [], suggestSecure: false },
    },
    verdictEntry({ action: 'return', replyCode: 550, ruleIds: ['profanity'], categories: { 'language/profanity': 1 }, sender: 'Teacher.One@stmarys-example.sch.uk', at: at(5) }),
  );
  expect(await store.returned.claimOverride('sworn', at(6))).toBe(true);
  await store.returned.finishOverride('sworn', { delivered: true, justification: 'a false alarm', at: at(6), how: 'as sent' });
  await store.quarantine.hold(inventedRecord({ id: 'held', receivedAt: at(7) }), verdictEntry({ at: at(7), ruleIds: ['pupil-name-external', 'health-external'] }));
  await store.quarantine.requestRelease('held', { actor: DPO, encrypt: true, reason: 'the parent is entitled to it', at: at(8) });
  const claim = await store.quarantine.claimRelease('held');
  await store.quarantine.finishRelease('held', { delivered: true, claim: claim!, at: at(8, 12) });
}

describe.each(ENGINES)('the activity explorer and false positives (%s)', (engine) => {
  let site: StoreSite;
  let store: Store;
  beforeEach(async () => {
    site = await createSite(engine);
    store = await site.open();
  });
  afterEach(async () => site.dispose());

  it('lists every verdict that found something and every override and release, newest first, and leaves clean mail out', async () => {
    await history(store);
    const lines = await store.activity.list();
    expect(lines.map((line) => [line.messageId, line.action, line.actor ?? null])).toEqual([
      ['held', 'release', DPO],
      ['held', 'quarantine', null],
      // The actor as the audit names them; the sender lower-cased, so a filter finds every spelling.
      ['sworn', 'override', 'Teacher.One@stmarys-example.sch.uk'],
      ['sworn', 'return', null],
      ['elsewhere', 'encrypt', null],
      ['sealed', 'encrypt', null],
      ['noted', 'deliver', null],
    ]);
    // An override and a release carry the facts of the verdict they followed.
    const [release, , override] = lines;
    expect(override).toMatchObject({ sender: TEACHER, ruleIds: ['profanity'], categories: { 'language/profanity': 1 }, recipientDomains: ['example.org'] });
    expect(release).toMatchObject({ sender: TEACHER, ruleIds: ['pupil-name-external', 'health-external'], categories: { 'pupil-name': 1, 'sensitive/health': 2 } });
    expect(release!.verdictSeq).toBe(lines[1]!.seq);
    // Metadata only: nothing of the subject, the body or what matched.
    const rows = JSON.stringify(await site.exec('SELECT * FROM activity'));
    for (const content of [PUPIL_NAME, SUBJECT_PHRASE, BODY_PHRASE]) expect(rows).not.toContain(content);
  });

  it('filters by school, sender (any case), rule, category, action and dates, counts and pages', async () => {
    await history(store);
    const ids = async (filter: Parameters<Store['activity']['list']>[0]) => (await store.activity.list(filter)).map((line) => `${line.messageId}/${line.action}`);
    expect(await ids({ schoolIds: [OTHER_SCHOOL] })).toEqual(['elsewhere/encrypt']);
    expect(await ids({ schoolIds: [] })).toEqual([]);
    expect(await ids({ sender: 'TEACHER.TWO@stmarys-example.sch.uk' })).toEqual(['sealed/encrypt']);
    expect(await ids({ ruleId: 'profanity' })).toEqual(['sworn/override', 'sworn/return']);
    expect(await ids({ category: 'sensitive/health', schoolIds: [SCHOOL] })).toEqual(['held/release', 'held/quarantine', 'sealed/encrypt']);
    expect(await ids({ action: 'override' })).toEqual(['sworn/override']);
    expect(await ids({ since: at(4, 11), until: at(7) })).toEqual(['sworn/override', 'sworn/return', 'elsewhere/encrypt']);
    expect(await store.activity.count({ schoolIds: [SCHOOL] })).toBe(6);
    expect(await ids({ schoolIds: [SCHOOL], limit: 2, offset: 2 })).toEqual(['sworn/override', 'sworn/return']);
    expect(await store.activity.verdictOf('held', { schoolIds: [OTHER_SCHOOL] })).toBeUndefined();
    expect((await store.activity.verdictOf('held'))?.action).toBe('quarantine');
  });

  it('fills the explorer from the audit entries written before the migration', async () => {
    await history(store);
    const before = await store.activity.list();
    await store.close();
    await undoActivity(site);
    const reopened = await site.open();
    expect(await reopened.activity.list()).toEqual(before);
  });

  it('marks a finding as a false positive once, audited, and reports them per school by rule, category and term', async () => {
    await history(store);
    const sealed = (await store.activity.list({ action: 'encrypt', schoolIds: [SCHOOL] }))[0]!;
    const held = await store.activity.verdictOf('held');
    const sworn = await store.activity.verdictOf('sworn');
    const mark = { actor: DPO, at: at(9) };
    expect(
      await store.falsePositives.mark({ ...mark, verdict: sealed, category: 'sensitive/health', term: 'asthma', ruleIds: ['health-external'], reason: 'a staff first-aid course' }),
    ).toBe(true);
    expect(await store.falsePositives.mark({ ...mark, verdict: sealed, category: 'sensitive/health', term: 'asthma', ruleIds: ['health-external'], reason: 'again' })).toBe(false);
    expect(
      await store.falsePositives.mark({ ...mark, verdict: held!, category: 'sensitive/health', term: 'asthma', ruleIds: ['health-external'], reason: 'the same course' }),
    ).toBe(true);
    expect(await store.falsePositives.mark({ ...mark, verdict: held!, category: 'pupil-name', ruleIds: ['pupil-name-external'], reason: 'a namesake' })).toBe(true);
    expect(await store.falsePositives.mark({ ...mark, verdict: sworn!, category: 'language/profanity', term: 'scunthorpe', ruleIds: ['profanity'], reason: 'a town' })).toBe(true);

    const audit = await site.exec("SELECT actor, message_id, reason FROM audit_log WHERE action = 'false-positive' ORDER BY seq");
    expect(audit[0]).toEqual({ actor: DPO, message_id: 'sealed', reason: 'sensitive/health "asthma" (health-external): a staff first-aid course' });
    expect(audit).toHaveLength(4);
    expect(await store.audit.verify()).toMatchObject({ ok: true });

    const marks = await store.falsePositives.among([held!.seq, sealed.seq]);
    expect(
      marks
        .get(held!.seq)
        ?.map((marked) => marked.category)
        .sort(),
    ).toEqual(['pupil-name', 'sensitive/health']);

    const report = await store.falsePositives.tuning({ schoolIds: [SCHOOL], since: at(1), until: at(30) });
    expect(report.byRule).toEqual([
      { schoolId: SCHOOL, ruleId: 'health-external', falsePositives: 2 },
      { schoolId: SCHOOL, ruleId: 'profanity', falsePositives: 1 },
      { schoolId: SCHOOL, ruleId: 'pupil-name-external', falsePositives: 1 },
    ]);
    expect(report.byCategory[0]).toEqual({ schoolId: SCHOOL, category: 'sensitive/health', falsePositives: 2 });
    expect(report.byTerm).toEqual([
      { schoolId: SCHOOL, category: 'sensitive/health', term: 'asthma', falsePositives: 2 },
      { schoolId: SCHOOL, category: 'language/profanity', term: 'scunthorpe', falsePositives: 1 },
    ]);
    // The period is the messages': none of these came in December.
    expect((await store.falsePositives.tuning({ since: at(30), until: new Date('2027-01-01T00:00:00Z') })).byRule).toEqual([]);
    expect((await store.falsePositives.tuning({ schoolIds: [], since: at(1), until: at(30) })).byRule).toEqual([]);
    expect(await store.activity.firedPerRule({ schoolIds: [SCHOOL], since: at(1), until: at(30) })).toEqual(
      expect.arrayContaining([
        { schoolId: SCHOOL, ruleId: 'health-external', fired: 2 },
        { schoolId: SCHOOL, ruleId: 'profanity', fired: 1 },
      ]),
    );
  });

  it('keeps a term only for vocabulary categories, never a name or an identifier', () => {
    expect(termOf(HEALTH_FINDING)).toBe('asthma');
    expect(termOf({ category: 'language/profanity', match: '  Bloody\n HELL ' })).toBe('bloody hell');
    expect(termOf(PUPIL_FINDING)).toBeUndefined();
    expect(termOf({ category: 'personal-data/ni-number', match: 'QQ123456C' })).toBeUndefined();
  });

  it('prunes lines and marks at the end of the audit period', async () => {
    await history(store);
    const sealed = (await store.activity.list({ action: 'encrypt', schoolIds: [SCHOOL] }))[0]!;
    await store.falsePositives.mark({ verdict: sealed, category: 'sensitive/health', ruleIds: ['health-external'], reason: 'x', actor: DPO, at: at(9) });
    const result = await enforceRetention(store, new Date('2027-11-07T00:00:00Z'));
    expect(result).toMatchObject({ activityDeleted: 5, falsePositivesDeleted: 1 });
    expect((await store.activity.list()).map((line) => line.messageId)).toEqual(['held', 'held']);
    expect(await site.exec('SELECT * FROM false_positive_rules')).toEqual([]);
  });
});
