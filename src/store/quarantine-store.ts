import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type SelectQueryBuilder, type SqlBool, type Transaction } from 'kysely';
import type { Finding } from '../detect/finding.js';
import type { Envelope } from '../message/envelope.js';
import { recordDecisionActivity } from './activity-log.js';
import type { AuditLog } from './audit-log.js';
import type { VerdictAuditEntry } from './audit-entry.js';
import type { BodyCipher } from './body-cipher.js';
import { StoreError } from './errors.js';
import type { QuarantineTable, StoreDatabase } from './schema.js';

/** `releasing`: a worker is delivering it now; it becomes `released`, or `held` again if the next hop did not take it. */
export const QUARANTINE_STATUSES = ['held', 'releasing', 'released', 'rejected', 'expired', 'deleted'] as const;
export type QuarantineStatus = (typeof QUARANTINE_STATUSES)[number];

/** What the gateway holds: the original bytes and what the scan found. */
export interface QuarantineRecord {
  /**
   * The caller's id for the message (e.g. the spool id). Holding the same id again keeps the one
   * record, so a retried hold cannot duplicate it. Default: a random UUID.
   */
  readonly id?: string;
  readonly schoolId: string;
  /** Default: now. */
  readonly receivedAt?: Date;
  readonly envelope: Envelope;
  /** Sealed: a subject often names a pupil. */
  readonly subject: string;
  /** The message exactly as received; sealed. */
  readonly raw: Buffer;
  readonly ruleIds: readonly string[];
  /** Sealed whole, matched text included; only their categories stay in clear. */
  readonly findings: readonly Finding[];
}

export interface HoldResult {
  readonly id: string;
  /** False when a record with this id already existed (nothing was written). */
  readonly created: boolean;
}

/** What lists show: nothing sealed. */
export interface QuarantineSummary {
  readonly id: string;
  readonly schoolId: string;
  readonly receivedAt: Date;
  readonly from: string;
  readonly rcpt: readonly string[];
  readonly categories: readonly string[];
  readonly ruleIds: readonly string[];
  readonly status: QuarantineStatus;
  readonly sizeBytes: number;
  readonly decidedAt?: Date;
  readonly decidedBy?: string;
  /** True once retention destroyed the body: the metadata remains, the message is gone. */
  readonly bodyDestroyed: boolean;
  /** The latest release request, while one stands or after it was carried out. */
  readonly releaseRequest?: { readonly encrypt: boolean; readonly by: string; readonly at: Date };
}

export interface QuarantinedMessage extends QuarantineSummary {
  readonly raw: Buffer;
  readonly subject: string;
  readonly findings: readonly Finding[];
}

/** Which schools' records a query may see. */
export interface SchoolFilter {
  /** Only these schools (a DPO's scope); omitted means every school, an empty list none. */
  readonly schoolIds?: readonly string[];
}

export interface QuarantineFilter extends SchoolFilter {
  readonly status?: QuarantineStatus;
  /** A finding category, e.g. `pupil-name`. */
  readonly category?: string;
  readonly ruleId?: string;
  /** The envelope sender, exactly (lower-cased). */
  readonly sender?: string;
  /** Received at or after. */
  readonly since?: Date;
  /** Received before. */
  readonly until?: Date;
  /** Default 100, newest first. */
  readonly limit?: number;
  readonly offset?: number;
}

export interface Decision {
  /** `deleted` destroys the sealed body in the same transaction: nothing is sent, and nothing is kept to send. */
  readonly status: 'released' | 'rejected' | 'deleted';
  /** Who decided: the user's login. */
  readonly actor: string;
  /** Required for `deleted`: destroying a held message always says why. */
  readonly reason?: string;
  /** Default: now. */
  readonly at?: Date;
}

/** A reviewer's request to release a held message; the release job carries it out. */
export interface ReleaseRequestRecord {
  readonly actor: string;
  /** Deliver it encrypted. Once any request asked for that, a later plain request does not undo it. */
  readonly encrypt: boolean;
  /** The reviewer's reason, for the audit log. */
  readonly reason?: string;
  /** Default: now. */
  readonly at?: Date;
}

/** What a release job may deliver, read when it claims the record. */
export interface ClaimedRelease {
  readonly encrypt: boolean;
  readonly actor: string;
}

export interface DecideResult {
  /** True only for the one decision that moved the record from `held`; a concurrent or later one loses. */
  readonly won: boolean;
  /** The status after the call; undefined when there is no such record. */
  readonly status: QuarantineStatus | undefined;
}

const AUDIT_ACTIONS = { released: 'release', rejected: 'reject', deleted: 'delete' } as const;
const DEFAULT_LIMIT = 100;
const MAX_ID = 200;
const EXPIRE_BATCH = 200;

/** Quarantined messages: metadata in clear for filtering, the message, subject and findings sealed. */
export class QuarantineStore {
  constructor(
    private readonly db: Kysely<StoreDatabase>,
    private readonly cipher: BodyCipher,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Writes the record and its sealed body in one transaction and resolves only after the commit (with
   * SQLite's `synchronous=FULL` and PostgreSQL's default `synchronous_commit`, on disk): the moment to
   * answer 250. With `verdict`, its audit entry (and incident) commit in the same transaction; its
   * `messageId` and `schoolId` are taken from the record.
   */
  async hold(record: QuarantineRecord, verdict?: VerdictAuditEntry): Promise<HoldResult> {
    const id = record.id ?? randomUUID();
    if (id.length === 0 || id.length > MAX_ID) throw new StoreError('invalid-record', `a quarantine id must be 1 to ${MAX_ID} characters`);
    const categories = [...new Set(record.findings.map((finding) => finding.category))];
    const sealed = {
      id,
      raw: this.cipher.seal(record.raw, sealedField(id, 'raw')),
      subject: this.cipher.seal(Buffer.from(record.subject, 'utf8'), sealedField(id, 'subject')),
      findings: this.cipher.seal(Buffer.from(JSON.stringify(record.findings), 'utf8'), sealedField(id, 'findings')),
    };
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('quarantine')
        .values({
          id,
          school_id: record.schoolId,
          received_at: (record.receivedAt ?? new Date()).toISOString(),
          mail_from: record.envelope.mailFrom,
          rcpt: JSON.stringify(record.envelope.rcptTo),
          categories: JSON.stringify(categories),
          rule_ids: JSON.stringify(record.ruleIds),
          status: 'held',
          size_bytes: record.raw.length,
          decided_at: null,
          decided_by: null,
          body_destroyed_at: null,
          release_requested_at: null,
          release_requested_by: null,
          release_encrypt: null,
        })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return { id, created: false };
      await trx.insertInto('quarantine_bodies').values(sealed).execute();
      const tags = [
        ...categories.map((value) => ({ message_id: id, kind: 'category' as const, value })),
        ...[...new Set(record.ruleIds)].map((value) => ({ message_id: id, kind: 'rule' as const, value })),
      ];
      if (tags.length > 0) await trx.insertInto('quarantine_tags').values(tags).execute();
      if (verdict) await this.audit.appendWithin(trx, { ...verdict, messageId: id, schoolId: record.schoolId });
      return { id, created: true };
    });
  }

  /** Newest first, `limit` (default 100) from `offset`. */
  async list(filter: QuarantineFilter = {}): Promise<QuarantineSummary[]> {
    const rows = await this.#matching(filter)
      .selectAll()
      .orderBy('received_at', 'desc')
      .orderBy('id')
      .limit(filter.limit ?? DEFAULT_LIMIT)
      .offset(filter.offset ?? 0)
      .execute();
    return rows.map(summaryOf);
  }

  /** How many records match, ignoring `limit` and `offset`: for paging. */
  async count(filter: QuarantineFilter = {}): Promise<number> {
    const row = await this.#matching(filter)
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** The record's metadata, nothing unsealed; undefined when there is none with this id in `scope`. */
  async find(id: string, scope: SchoolFilter = {}): Promise<QuarantineSummary | undefined> {
    const row = await inSchools(this.db.selectFrom('quarantine').selectAll().where('id', '=', id), scope).executeTakeFirst();
    return row ? summaryOf(row) : undefined;
  }

  /**
   * The record with its message, subject and findings unsealed; `not-found` when there is none with this id in
   * `scope` (a record of another school is not found, never refused), or once its body was destroyed.
   */
  async open(id: string, scope: SchoolFilter = {}): Promise<QuarantinedMessage> {
    const row = await inSchools(
      this.db
        .selectFrom('quarantine')
        .leftJoin('quarantine_bodies', 'quarantine_bodies.id', 'quarantine.id')
        .selectAll('quarantine')
        .select(['quarantine_bodies.raw', 'quarantine_bodies.subject', 'quarantine_bodies.findings'])
        .where('quarantine.id', '=', id),
      scope,
    ).executeTakeFirst();
    if (!row) throw new StoreError('not-found', 'no quarantined message has that id');
    if (!row.raw || !row.subject || !row.findings) throw new StoreError('not-found', 'that quarantined message was destroyed (retention or a deletion)');
    return {
      ...summaryOf(row),
      raw: this.cipher.open(row.raw, sealedField(id, 'raw')),
      subject: this.cipher.open(row.subject, sealedField(id, 'subject')).toString('utf8'),
      findings: JSON.parse(this.cipher.open(row.findings, sealedField(id, 'findings')).toString('utf8')) as Finding[],
    };
  }

  /**
   * Moves a `held` record to `released`, `rejected` or `deleted` with a conditional UPDATE, so of two DPOs
   * deciding at once exactly one wins; the winner's audit entry commits with the change. A deletion destroys
   * the sealed body in the same transaction, as retention does: the ciphertext row is deleted, not marked.
   * A record a worker is delivering (`releasing`) is not held: a deletion or rejection then loses, since the
   * mail may already have left.
   */
  async decide(id: string, decision: Decision): Promise<DecideResult> {
    const at = decision.at ?? new Date();
    const deleting = decision.status === 'deleted';
    if (deleting && !decision.reason?.trim()) throw new StoreError('invalid-record', 'deleting a held message needs a reason');
    return this.db.transaction().execute(async (trx) => {
      const won = await trx
        .updateTable('quarantine')
        .set({ status: decision.status, decided_at: at.toISOString(), decided_by: decision.actor, ...(deleting ? { body_destroyed_at: at.toISOString() } : {}) })
        .where('id', '=', id)
        .where('status', '=', 'held')
        .returning(['school_id', 'mail_from'])
        .executeTakeFirst();
      if (!won) return { won: false, status: await statusWithin(trx, id) };
      if (deleting) await trx.deleteFrom('quarantine_bodies').where('id', '=', id).execute();
      const appended = await this.audit.appendWithin(trx, {
        kind: 'human',
        schoolId: won.school_id,
        actor: decision.actor,
        action: AUDIT_ACTIONS[decision.status],
        messageId: id,
        reason: decision.reason,
        at,
      });
      if (decision.status === 'released') {
        await recordDecisionActivity(trx, {
          seq: appended.seq,
          at: at.toISOString(),
          schoolId: won.school_id,
          messageId: id,
          action: 'release',
          actor: decision.actor,
          sender: won.mail_from,
        });
      }
      return { won: true, status: decision.status };
    });
  }

  /**
   * Records a reviewer's release request on a `held` record, with its audit entry in the same transaction; the
   * job then reads it (`claimRelease`). `won` is false when the record is not held (decided, or being released).
   */
  async requestRelease(id: string, request: ReleaseRequestRecord): Promise<DecideResult> {
    const at = request.at ?? new Date();
    return this.db.transaction().execute(async (trx) => {
      const won = await trx
        .updateTable('quarantine')
        .set({
          release_requested_at: at.toISOString(),
          release_requested_by: request.actor,
          release_encrypt: request.encrypt ? 1 : sql<number>`coalesce(release_encrypt, 0)`,
        })
        .where('id', '=', id)
        .where('status', '=', 'held')
        .returning(['school_id', 'release_encrypt'])
        .executeTakeFirst();
      if (!won) return { won: false, status: await statusWithin(trx, id) };
      const how = won.release_encrypt === 1 ? ' (encrypted)' : '';
      await this.audit.appendWithin(trx, {
        kind: 'human',
        schoolId: won.school_id,
        actor: request.actor,
        action: 'release',
        messageId: id,
        reason: `requested${how}${request.reason ? `: ${request.reason}` : ''}`,
        at,
      });
      return { won: true, status: 'held' };
    });
  }

  /**
   * The release job's claim, before it unseals anything: a record with a release request moves from `held` to
   * `releasing` (or stays `releasing`, a stalled job's rerun: only one job per record exists), so a deletion or
   * rejection in the meantime is refused rather than recorded over mail that is leaving. Undefined when there is
   * nothing to release (decided, deleted, expired, or never requested).
   */
  async claimRelease(id: string): Promise<ClaimedRelease | undefined> {
    const claimed = await this.db
      .updateTable('quarantine')
      .set({ status: 'releasing' })
      .where('id', '=', id)
      .where('status', 'in', ['held', 'releasing'])
      .where('release_requested_at', 'is not', null)
      .where('body_destroyed_at', 'is', null)
      .returning(['release_encrypt', 'release_requested_by'])
      .executeTakeFirst();
    return claimed ? { encrypt: claimed.release_encrypt === 1, actor: claimed.release_requested_by ?? 'unknown' } : undefined;
  }

  /**
   * Ends a claim: `delivered` moves it to `released` with the audit entry saying how it went; otherwise it is
   * `held` again, to be retried or decided anew (a request for encryption now governs the retry).
   */
  async finishRelease(id: string, outcome: { readonly delivered: boolean; readonly claim: ClaimedRelease; readonly at?: Date }): Promise<void> {
    const at = outcome.at ?? new Date();
    await this.db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('quarantine')
        .set(outcome.delivered ? { status: 'released', decided_at: at.toISOString(), decided_by: outcome.claim.actor } : { status: 'held' })
        .where('id', '=', id)
        .where('status', '=', 'releasing')
        .returning(['school_id', 'mail_from'])
        .executeTakeFirst();
      if (!moved || !outcome.delivered) return;
      const how = outcome.claim.encrypt ? 'delivered encrypted' : 'delivered as sent';
      const appended = await this.audit.appendWithin(trx, {
        kind: 'human',
        schoolId: moved.school_id,
        actor: outcome.claim.actor,
        action: 'release',
        messageId: id,
        reason: how,
        at,
      });
      await recordDecisionActivity(trx, {
        seq: appended.seq,
        at: at.toISOString(),
        schoolId: moved.school_id,
        messageId: id,
        action: 'release',
        actor: outcome.claim.actor,
        sender: moved.mail_from,
      });
    });
  }

  /**
   * Destroys the bodies of records received before `before`: the ciphertext rows are deleted, not
   * marked. A record still `held` becomes `expired` (with a `system` audit entry); a decided one keeps
   * its decision. Returns how many bodies were destroyed.
   */
  async expire(before: Date, now: Date = new Date()): Promise<number> {
    let destroyed = 0;
    for (;;) {
      const batch = await this.db.transaction().execute(async (trx) => {
        // Claiming the batch is the transaction's first statement and a write, so SQLite takes its
        // write lock up front (waiting for another process) instead of failing on a stale read.
        const claimed = await trx
          .updateTable('quarantine')
          .set({ body_destroyed_at: now.toISOString() })
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('quarantine as candidate')
              .select('candidate.id')
              .where('candidate.received_at', '<', before.toISOString())
              .where('candidate.body_destroyed_at', 'is', null)
              .orderBy('candidate.received_at')
              .limit(EXPIRE_BATCH),
          )
          .returning('id')
          .execute();
        if (claimed.length > 0)
          await this.#destroyBodies(
            trx,
            claimed.map((row) => row.id),
            now,
          );
        return claimed.length;
      });
      destroyed += batch;
      if (batch < EXPIRE_BATCH) return destroyed;
    }
  }

  /** Deletes whole records (the envelope addresses are personal data too) received before `before`. */
  async purge(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('quarantine').where('received_at', '<', before.toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  #matching(filter: QuarantineFilter) {
    let query = inSchools(this.db.selectFrom('quarantine'), filter);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.sender) query = query.where('mail_from', '=', filter.sender.toLowerCase());
    if (filter.since) query = query.where('received_at', '>=', filter.since.toISOString());
    if (filter.until) query = query.where('received_at', '<', filter.until.toISOString());
    for (const [kind, value] of [
      ['category', filter.category],
      ['rule', filter.ruleId],
    ] as const) {
      if (value === undefined) continue;
      query = query.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('quarantine_tags')
            .select('quarantine_tags.message_id')
            .whereRef('quarantine_tags.message_id', '=', 'quarantine.id')
            .where('quarantine_tags.kind', '=', kind)
            .where('quarantine_tags.value', '=', value),
        ),
      );
    }
    return query;
  }

  async #destroyBodies(trx: Transaction<StoreDatabase>, ids: readonly string[], now: Date): Promise<void> {
    await trx.deleteFrom('quarantine_bodies').where('id', 'in', ids).execute();
    // Conditional, like decide(): a decision that committed first keeps its status.
    const expired = await trx.updateTable('quarantine').set({ status: 'expired' }).where('id', 'in', ids).where('status', '=', 'held').returning(['id', 'school_id']).execute();
    for (const row of expired) {
      await this.audit.appendWithin(trx, { kind: 'system', schoolId: row.school_id, actor: 'retention', action: 'expire', messageId: row.id, at: now });
    }
  }
}

async function statusWithin(trx: Transaction<StoreDatabase>, id: string): Promise<QuarantineStatus | undefined> {
  const current = await trx.selectFrom('quarantine').select('status').where('id', '=', id).executeTakeFirst();
  return current?.status as QuarantineStatus | undefined;
}

/** Limits a query on `quarantine` to the filter's schools. An empty scope sees nothing, never everything. */
function inSchools<Query extends SelectQueryBuilder<StoreDatabase, 'quarantine' | 'quarantine_bodies', object>>(query: Query, { schoolIds }: SchoolFilter): Query {
  if (!schoolIds) return query;
  return (schoolIds.length > 0 ? query.where('quarantine.school_id', 'in', [...schoolIds]) : query.where(sql<SqlBool>`1 = 0`)) as Query;
}

/** Binds a sealed value to its record and field: a ciphertext moved elsewhere does not open. */
function sealedField(id: string, field: 'raw' | 'subject' | 'findings'): string {
  return `quarantine\u0000${id}\u0000${field}`;
}

function summaryOf(row: QuarantineTable): QuarantineSummary {
  return {
    id: row.id,
    schoolId: row.school_id,
    receivedAt: new Date(row.received_at),
    from: row.mail_from,
    rcpt: JSON.parse(row.rcpt) as string[],
    categories: JSON.parse(row.categories) as string[],
    ruleIds: JSON.parse(row.rule_ids) as string[],
    status: row.status as QuarantineStatus,
    sizeBytes: Number(row.size_bytes),
    ...(row.decided_at ? { decidedAt: new Date(row.decided_at) } : {}),
    ...(row.decided_by ? { decidedBy: row.decided_by } : {}),
    bodyDestroyed: row.body_destroyed_at !== null,
    ...(row.release_requested_at ? { releaseRequest: { encrypt: row.release_encrypt === 1, by: row.release_requested_by ?? '', at: new Date(row.release_requested_at) } } : {}),
  };
}
