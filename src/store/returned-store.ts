import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { Envelope } from '../message/envelope.js';
import { recordDecisionActivity } from './activity-log.js';
import type { AuditLog } from './audit-log.js';
import type { VerdictAuditEntry } from './audit-entry.js';
import type { BodyCipher } from './body-cipher.js';
import { StoreError } from './errors.js';
import type { SchoolFilter } from './quarantine-store.js';
import type { ReturnedMessageTable, StoreDatabase } from './schema.js';

/** What the sender's page shows about a returned message: the notice's own content, nothing more. */
export interface ReturnedNotice {
  readonly reasons: readonly { readonly reason: string; readonly clause: string }[];
  readonly found: readonly string[];
  readonly rewrite?: { readonly subject: string; readonly body: string } | undefined;
  readonly moveToBcc: readonly string[];
  readonly suggestSecure: boolean;
}

/** A returned message to keep while its link works. */
export interface ReturnedRecord {
  readonly id: string;
  readonly schoolId: string;
  readonly receivedAt: Date;
  readonly envelope: Envelope;
  /** The message exactly as received; sealed. */
  readonly raw: Buffer;
  /** Every rule that fired, deciding ones first. */
  readonly ruleIds: readonly string[];
  /** The rules that returned it (the verdict's deciding ones). */
  readonly returnedBy: readonly string[];
  /** Every rule that returned it allows `override: justification`. */
  readonly overridable: boolean;
  /** A rule that fired wants it encrypted: an override sends it encrypted. */
  readonly encrypt: boolean;
  readonly expiresAt: Date;
  /** Sealed. */
  readonly notice: ReturnedNotice;
}

export const RETURNED_STATUSES = ['returned', 'sending', 'sent'] as const;
export type ReturnedStatus = (typeof RETURNED_STATUSES)[number];

export interface ReturnedSummary {
  readonly id: string;
  readonly schoolId: string;
  readonly receivedAt: Date;
  readonly from: string;
  readonly rcpt: readonly string[];
  readonly ruleIds: readonly string[];
  readonly returnedBy: readonly string[];
  readonly overridable: boolean;
  readonly encrypt: boolean;
  readonly status: ReturnedStatus;
  readonly expiresAt: Date;
  readonly overriddenAt?: Date;
  readonly justification?: string;
  readonly bodyDestroyed: boolean;
}

export interface ReturnedMessage extends ReturnedSummary {
  readonly raw: Buffer;
  readonly notice: ReturnedNotice;
}

export interface OverrideRevocation {
  readonly schoolId: string;
  readonly sender: string;
  readonly ruleId: string;
  readonly revokedAt: Date;
  readonly revokedBy: string;
  readonly reason: string;
}

export interface SenderReleaseRequest {
  readonly messageId: string;
  readonly schoolId: string;
  readonly sender: string;
  readonly requestedAt: Date;
  readonly reason: string;
  /** The held message's status now: a request stays on the record after the DPO decided. */
  readonly status: string;
}

export interface DateRange extends SchoolFilter {
  readonly since?: Date;
  readonly until?: Date;
}

const MAX_REASON = 500;

/**
 * Sender self-service: returned messages kept sealed (with the store key, as quarantined ones) while the notice's
 * link may send them as they were, the overrides that did, the DPO's revocations, and senders' requests for the
 * release of held messages. Every change and its audit entry commit in one transaction.
 */
export class ReturnedStore {
  constructor(
    private readonly db: Kysely<StoreDatabase>,
    private readonly cipher: BodyCipher,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Keeps the message, sealed, with the verdict's audit entry (and incident) in one transaction, before the 550:
   * a retry of the same message (same id) keeps the first record and writes nothing.
   */
  async keep(record: ReturnedRecord, verdict: VerdictAuditEntry): Promise<{ created: boolean }> {
    const { id } = record;
    const sealed = {
      id,
      raw: this.cipher.seal(record.raw, sealedField(id, 'raw')),
      notice: this.cipher.seal(Buffer.from(JSON.stringify(record.notice), 'utf8'), sealedField(id, 'notice')),
    };
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('returned_messages')
        .values({
          id,
          school_id: record.schoolId,
          received_at: record.receivedAt.toISOString(),
          mail_from: record.envelope.mailFrom,
          rcpt: JSON.stringify(record.envelope.rcptTo),
          rule_ids: JSON.stringify(record.ruleIds),
          overridable: record.overridable ? 1 : 0,
          encrypt: record.encrypt ? 1 : 0,
          status: 'returned',
          expires_at: record.expiresAt.toISOString(),
          size_bytes: record.raw.length,
          overridden_at: null,
          justification: null,
          body_destroyed_at: null,
        })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return { created: false };
      await trx.insertInto('returned_bodies').values(sealed).execute();
      const rules = [...new Set(record.returnedBy)];
      if (rules.length > 0)
        await trx
          .insertInto('returned_rules')
          .values(rules.map((rule_id) => ({ message_id: id, rule_id })))
          .execute();
      await this.audit.appendWithin(trx, { ...verdict, messageId: id, schoolId: record.schoolId });
      return { created: true };
    });
  }

  async find(id: string): Promise<ReturnedSummary | undefined> {
    const row = await this.db.selectFrom('returned_messages').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? summaryOf(row, await this.#returnedBy(id)) : undefined;
  }

  /** The record with its message and notice unsealed; `not-found` when there is none, or its body is gone. */
  async open(id: string): Promise<ReturnedMessage> {
    const row = await this.db
      .selectFrom('returned_messages')
      .leftJoin('returned_bodies', 'returned_bodies.id', 'returned_messages.id')
      .selectAll('returned_messages')
      .select(['returned_bodies.raw', 'returned_bodies.notice'])
      .where('returned_messages.id', '=', id)
      .executeTakeFirst();
    if (!row) throw new StoreError('not-found', 'no returned message has that id');
    if (!row.raw || !row.notice) throw new StoreError('not-found', 'that returned message is no longer kept');
    return {
      ...summaryOf(row, await this.#returnedBy(id)),
      raw: this.cipher.open(row.raw, sealedField(id, 'raw')),
      notice: JSON.parse(this.cipher.open(row.notice, sealedField(id, 'notice')).toString('utf8')) as ReturnedNotice,
    };
  }

  /**
   * The one use of an override link: `returned` → `sending`, only before `now` passes the expiry and while the body
   * is kept. Of two uses at once exactly one wins; the other, and every later one, gets false.
   */
  async claimOverride(id: string, now: Date): Promise<boolean> {
    const claimed = await this.db
      .updateTable('returned_messages')
      .set({ status: 'sending' })
      .where('id', '=', id)
      .where('status', '=', 'returned')
      .where('overridable', '=', 1)
      .where('expires_at', '>', now.toISOString())
      .where('body_destroyed_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    return claimed !== undefined;
  }

  /**
   * Ends a claim. Delivered: `sent`, with the sender's reason and an audit entry `override` (the sender is the
   * actor) in one transaction, and the sealed body deleted at once, since nothing needs it any more. Otherwise
   * `returned` again, so the sender can try once more while the link lasts.
   */
  async finishOverride(id: string, outcome: { readonly delivered: boolean; readonly justification: string; readonly at: Date; readonly how: string }): Promise<void> {
    const justification = limited(outcome.justification);
    await this.db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('returned_messages')
        .set(outcome.delivered ? { status: 'sent', overridden_at: outcome.at.toISOString(), justification, body_destroyed_at: outcome.at.toISOString() } : { status: 'returned' })
        .where('id', '=', id)
        .where('status', '=', 'sending')
        .returning(['school_id', 'mail_from'])
        .executeTakeFirst();
      if (!moved || !outcome.delivered) return;
      await trx.deleteFrom('returned_bodies').where('id', '=', id).execute();
      const rules = await this.#returnedBy(id, trx);
      const appended = await this.audit.appendWithin(trx, {
        kind: 'human',
        schoolId: moved.school_id,
        actor: moved.mail_from,
        action: 'override',
        messageId: id,
        reason: `sent as it was (${outcome.how}) over ${rules.join(', ')}: ${justification}`,
        at: outcome.at,
      });
      await recordDecisionActivity(trx, {
        seq: appended.seq,
        at: outcome.at.toISOString(),
        schoolId: moved.school_id,
        messageId: id,
        action: 'override',
        actor: moved.mail_from,
        sender: moved.mail_from,
      });
    });
  }

  /** Overrides that went out, newest first. */
  async listOverrides(range: DateRange = {}, limit = 200): Promise<ReturnedSummary[]> {
    const rows = await this.db
      .selectFrom('returned_messages')
      .selectAll()
      .where((eb) => overridesIn(eb, range))
      .orderBy('overridden_at', 'desc')
      .limit(limit)
      .execute();
    const rules = await this.#rulesOf(rows.map((row) => row.id));
    return rows.map((row) => summaryOf(row, rules.get(row.id) ?? []));
  }

  /** How often each rule was overridden in the range, most first: a rule overridden often is one to tune. */
  async overridesPerRule(range: DateRange = {}): Promise<{ ruleId: string; overrides: number }[]> {
    const rows = await this.db
      .selectFrom('returned_messages')
      .innerJoin('returned_rules', 'returned_rules.message_id', 'returned_messages.id')
      .where((eb) => overridesIn(eb, range))
      .select(['returned_rules.rule_id', (eb) => eb.fn.countAll<string | number>().as('overrides')])
      .groupBy('returned_rules.rule_id')
      .orderBy('overrides', 'desc')
      .orderBy('returned_rules.rule_id')
      .execute();
    return rows.map((row) => ({ ruleId: row.rule_id, overrides: Number(row.overrides) }));
  }

  /** The rules this sender may no longer override at this school. */
  async revokedRules(schoolId: string, sender: string): Promise<string[]> {
    const rows = await this.db.selectFrom('override_revocations').select('rule_id').where('school_id', '=', schoolId).where('sender', '=', sender.toLowerCase()).execute();
    return rows.map((row) => row.rule_id);
  }

  async listRevocations(scope: SchoolFilter = {}): Promise<OverrideRevocation[]> {
    let query = this.db.selectFrom('override_revocations').selectAll();
    if (scope.schoolIds) query = scope.schoolIds.length > 0 ? query.where('school_id', 'in', [...scope.schoolIds]) : query.where(sql<SqlBool>`1 = 0`);
    const rows = await query.orderBy('revoked_at', 'desc').execute();
    return rows.map((row) => ({
      schoolId: row.school_id,
      sender: row.sender,
      ruleId: row.rule_id,
      revokedAt: new Date(row.revoked_at),
      revokedBy: row.revoked_by,
      reason: row.reason,
    }));
  }

  /** Takes a rule's override from a sender at a school, with its audit entry; false when it was taken already. */
  async revoke(revocation: {
    readonly schoolId: string;
    readonly sender: string;
    readonly ruleId: string;
    readonly actor: string;
    readonly reason: string;
    readonly at: Date;
  }): Promise<boolean> {
    const sender = revocation.sender.toLowerCase();
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('override_revocations')
        .values({
          school_id: revocation.schoolId,
          sender,
          rule_id: revocation.ruleId,
          revoked_at: revocation.at.toISOString(),
          revoked_by: revocation.actor,
          reason: limited(revocation.reason),
        })
        .onConflict((conflict) => conflict.columns(['school_id', 'sender', 'rule_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await this.audit.appendWithin(trx, {
        kind: 'human',
        schoolId: revocation.schoolId,
        actor: revocation.actor,
        action: 'override-revoke',
        reason: `${revocation.ruleId} for ${sender}: ${limited(revocation.reason)}`,
        at: revocation.at,
      });
      return true;
    });
  }

  /** Gives the override back; false when it was not revoked. */
  async restore(restoration: { readonly schoolId: string; readonly sender: string; readonly ruleId: string; readonly actor: string; readonly at: Date }): Promise<boolean> {
    const sender = restoration.sender.toLowerCase();
    return this.db.transaction().execute(async (trx) => {
      const deleted = await trx
        .deleteFrom('override_revocations')
        .where('school_id', '=', restoration.schoolId)
        .where('sender', '=', sender)
        .where('rule_id', '=', restoration.ruleId)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) return false;
      await this.audit.appendWithin(trx, {
        kind: 'human',
        schoolId: restoration.schoolId,
        actor: restoration.actor,
        action: 'override-restore',
        reason: `${restoration.ruleId} for ${sender}`,
        at: restoration.at,
      });
      return true;
    });
  }

  /**
   * A held message's sender asks for its release: recorded once (the first request stands) while the message is
   * still held, with an audit entry. It flags the message for the DPO and releases nothing.
   */
  async requestRelease(request: { readonly messageId: string; readonly reason: string; readonly at: Date }): Promise<'recorded' | 'already-asked' | 'not-held'> {
    return this.db.transaction().execute(async (trx) => {
      const held = await trx.selectFrom('quarantine').select(['school_id', 'mail_from', 'status']).where('id', '=', request.messageId).executeTakeFirst();
      if (!held || held.status !== 'held') return 'not-held';
      const reason = limited(request.reason);
      const inserted = await trx
        .insertInto('sender_release_requests')
        .values({ message_id: request.messageId, school_id: held.school_id, requested_at: request.at.toISOString(), reason })
        .onConflict((conflict) => conflict.column('message_id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return 'already-asked';
      await this.audit.appendWithin(trx, {
        kind: 'human',
        schoolId: held.school_id,
        actor: held.mail_from,
        action: 'release-request',
        messageId: request.messageId,
        reason,
        at: request.at,
      });
      return 'recorded';
    });
  }

  /** Senders' requests, those still held first, newest first. */
  async listReleaseRequests(scope: SchoolFilter = {}, limit = 200): Promise<SenderReleaseRequest[]> {
    let query = this.db
      .selectFrom('sender_release_requests')
      .innerJoin('quarantine', 'quarantine.id', 'sender_release_requests.message_id')
      .select([
        'sender_release_requests.message_id',
        'sender_release_requests.school_id',
        'sender_release_requests.requested_at',
        'sender_release_requests.reason',
        'quarantine.mail_from',
        'quarantine.status',
      ]);
    if (scope.schoolIds) query = scope.schoolIds.length > 0 ? query.where('sender_release_requests.school_id', 'in', [...scope.schoolIds]) : query.where(sql<SqlBool>`1 = 0`);
    const rows = await query.orderBy(sql`case when quarantine.status = 'held' then 0 else 1 end`).orderBy('sender_release_requests.requested_at', 'desc').limit(limit).execute();
    return rows.map((row) => ({
      messageId: row.message_id,
      schoolId: row.school_id,
      sender: row.mail_from,
      requestedAt: new Date(row.requested_at),
      reason: row.reason,
      status: row.status,
    }));
  }

  /** Which of these held messages' senders asked for release: the flags on the DPO's list. */
  async requestedAmong(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('sender_release_requests')
      .select('message_id')
      .where('message_id', 'in', [...ids])
      .execute();
    return new Set(rows.map((row) => row.message_id));
  }

  /** The sender's request on one held message, if they made one. */
  async releaseRequestFor(messageId: string): Promise<{ readonly requestedAt: Date; readonly reason: string } | undefined> {
    const row = await this.db.selectFrom('sender_release_requests').select(['requested_at', 'reason']).where('message_id', '=', messageId).executeTakeFirst();
    return row ? { requestedAt: new Date(row.requested_at), reason: row.reason } : undefined;
  }

  /**
   * Retention: the sealed bodies of returned messages whose link has expired are deleted (not marked); nothing can
   * send them any more, so keeping them would only keep personal data. Returns how many.
   */
  async expire(now: Date): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('returned_messages')
        .set({ body_destroyed_at: now.toISOString() })
        .where('expires_at', '<=', now.toISOString())
        .where('body_destroyed_at', 'is', null)
        .where('status', '!=', 'sending')
        .returning('id')
        .execute();
      const ids = claimed.map((row) => row.id);
      for (let start = 0; start < ids.length; start += 500)
        await trx
          .deleteFrom('returned_bodies')
          .where('id', 'in', ids.slice(start, start + 500))
          .execute();
      return ids.length;
    });
  }

  /** Deletes whole records (the envelope addresses are personal data too) received before `before`. */
  async purge(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('returned_messages').where('received_at', '<', before.toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async #returnedBy(id: string, db: Kysely<StoreDatabase> | Transaction<StoreDatabase> = this.db): Promise<string[]> {
    const rows = await db.selectFrom('returned_rules').select('rule_id').where('message_id', '=', id).orderBy('rule_id').execute();
    return rows.map((row) => row.rule_id);
  }

  async #rulesOf(ids: readonly string[]): Promise<Map<string, string[]>> {
    const byId = new Map<string, string[]>();
    if (ids.length === 0) return byId;
    const rows = await this.db
      .selectFrom('returned_rules')
      .select(['message_id', 'rule_id'])
      .where('message_id', 'in', [...ids])
      .orderBy('rule_id')
      .execute();
    for (const row of rows) byId.set(row.message_id, [...(byId.get(row.message_id) ?? []), row.rule_id]);
    return byId;
  }
}

/** The overrides a DPO may see: in their schools (an empty list sees nothing) and, when given, the range. */
function overridesIn(eb: ExpressionBuilder<StoreDatabase, 'returned_messages'>, range: DateRange): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [eb('returned_messages.status', '=', 'sent')];
  if (range.schoolIds) conditions.push(range.schoolIds.length > 0 ? eb('returned_messages.school_id', 'in', [...range.schoolIds]) : sql<SqlBool>`1 = 0`);
  if (range.since) conditions.push(eb('returned_messages.overridden_at', '>=', range.since.toISOString()));
  if (range.until) conditions.push(eb('returned_messages.overridden_at', '<', range.until.toISOString()));
  return eb.and(conditions);
}

function limited(text: string): string {
  const line = text.trim();
  return line.length > MAX_REASON ? line.slice(0, MAX_REASON) : line;
}

/** Binds a sealed value to its record and field, as the quarantine's are bound (another prefix, so they never mix). */
function sealedField(id: string, field: 'raw' | 'notice'): string {
  return `returned\u0000${id}\u0000${field}`;
}

function summaryOf(row: ReturnedMessageTable, returnedBy: readonly string[]): ReturnedSummary {
  return {
    id: row.id,
    schoolId: row.school_id,
    receivedAt: new Date(row.received_at),
    from: row.mail_from,
    rcpt: JSON.parse(row.rcpt) as string[],
    ruleIds: JSON.parse(row.rule_ids) as string[],
    returnedBy,
    overridable: Number(row.overridable) === 1,
    encrypt: Number(row.encrypt) === 1,
    status: row.status as ReturnedStatus,
    expiresAt: new Date(row.expires_at),
    ...(row.overridden_at ? { overriddenAt: new Date(row.overridden_at) } : {}),
    ...(row.justification ? { justification: row.justification } : {}),
    bodyDestroyed: row.body_destroyed_at !== null,
  };
}
