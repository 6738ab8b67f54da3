import { PostgresAdapter, sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { Action } from '../policy/verdict.js';
import { recordVerdictActivity } from './activity-log.js';
import type { AuditAnchor, AnchoredHead } from './audit-anchor.js';
import { chainLabel, entryHash, UNKEYED, type ChainedEntry, type ChainKey } from './audit-chain.js';
import type { AuditEntry } from './audit-entry.js';
import { StoreError } from './errors.js';
import { entryDetails, fromRow, type EntryDetails } from './audit-rows.js';
import { classifyIncident } from './incident-classifier.js';
import type { AuditLogTable, StoreDatabase } from './schema.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

/** Where the appended entry sits in the chain. */
export interface AppendedEntry {
  readonly seq: number;
  readonly hash: string;
}

/** A stored entry as the review page shows it: everything hashed, and the hashes. */
export interface AuditRecord extends ChainedEntry {
  readonly prevHash: string;
  readonly hash: string;
}

export type ChainVerification = (
  | { readonly ok: true; readonly entries: number; readonly headSeq: number; readonly headHash: string }
  | { readonly ok: false; readonly brokenAtSeq: number; readonly reason: string }
) & {
  /** `hmac-sha256:vN`: keyed with a key outside the database (store key version N); `sha256`: unkeyed. */
  readonly scheme: string;
  /** True when a database writer without the store's key cannot rewrite the chain unnoticed. */
  readonly keyed: boolean;
  /**
   * The furthest entry this gateway saw committed, kept outside the database (audit-anchor.ts), which the chain
   * must still reach: absent when there is no anchor (a store opened without one).
   */
  readonly anchoredSeq?: number;
};

/** Rolls back a re-keying that found the chain broken; the chain keeps linking as it did. */
class ChainNotKeyed extends HallmonitorError {
  readonly code = 'chain-not-keyed';
  readonly disposition = 'permanent';

  constructor(
    readonly chain: ChainKey,
    message: string,
  ) {
    super(message);
  }
}

/** The store_meta row that says how the chain is linked; absent means unkeyed, as every chain was before. */
const CHAIN_META = 'audit-chain';

/** A half-open time range `[since, until)`, optionally limited to some schools. */
export interface AuditRange {
  readonly since: Date;
  readonly until: Date;
  /** Only these schools; omitted means every school (a consortium-wide view). */
  readonly schoolIds?: readonly string[];
}

export interface DailyCounts {
  /** Verdicts per UTC day and action. */
  readonly verdicts: readonly { readonly day: string; readonly action: string; readonly count: number }[];
  /** Findings per UTC day and category. */
  readonly findings: readonly { readonly day: string; readonly category: string; readonly count: number }[];
}

const VERIFY_PAGE = 500;
/** How often entries committed in other stores' transactions are anchored. */
const ANCHOR_INTERVAL_MS = 1_000;
/** Rows per multi-row insert: 16 columns each stays under SQLite's and PostgreSQL's limits on parameters. */
const ROWS_PER_INSERT = 500;

/**
 * The append-only audit log. Each entry's hash covers the previous entry's hash, so altering,
 * inserting or deleting an entry breaks every hash after it; `verify()` finds where.
 */
/**
 * When a commit returns. `disk`: once it is on disk (SQLite `synchronous=FULL`, PostgreSQL's default), as a
 * hold's 250 needs. `written`: once the database has it (SQLite's WAL written but not yet synced;
 * PostgreSQL's `synchronous_commit = off`): a crash of the gateway loses nothing, a power cut at most what
 * `syncToDisk` had not yet flushed. It costs SQLite no fsync on the event loop, so every delivered message's
 * reply can wait for its entry.
 */
export type CommitDurability = 'disk' | 'written';

export class AuditLog {
  /**
   * `chain`: how new links are made; the store passes what `keyChain` resolved to. `keyingProblem`: why the
   * chain could not be keyed at start, for the gateway to log.
   */
  readonly #anchor: AuditAnchor | undefined;
  /** The highest seq this process appended, and the committed head the anchor last saw: the timer works only while they differ. */
  #appendedSeq = 0;
  #seenSeq = 0;
  #anchoring: Promise<void> | undefined;
  #anchorAgain = false;
  readonly #anchorTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Kysely<StoreDatabase>,
    private readonly chain: ChainKey = UNKEYED,
    readonly keyingProblem?: string,
    /** Where the head is anchored outside the database; without it, `verify` cannot see a truncated end. */
    anchor?: AuditAnchor,
  ) {
    this.#anchor = anchor;
    // Entries appended inside another store's transaction commit after `appendWithin` returns: a second later
    // the anchor catches up with them, and at `close`.
    this.#anchorTimer = anchor
      ? setInterval(() => {
          if (this.#appendedSeq > this.#seenSeq) this.#anchorSoon();
        }, ANCHOR_INTERVAL_MS).unref()
      : undefined;
  }

  private get engine(): 'sqlite' | 'postgres' {
    return this.db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
  }

  /**
   * Makes every link of the chain keyed with `chain` (at the first start with a key, or after the store key was
   * rotated): in one transaction, holding the head's lock, the chain is verified as its meta row says it was
   * linked, then every link is recomputed. A chain that does not verify is not re-linked, since that would
   * launder whatever broke it: it stays as it is (`audit verify` says where it broke) and `problem` says why.
   * `earlier` gives the key of a version the chain names. Resolves to how new links must be made.
   */
  static async keyChain(db: Kysely<StoreDatabase>, chain: ChainKey, earlier: (version: number) => ChainKey | undefined): Promise<{ chain: ChainKey; problem?: string }> {
    return db
      .transaction()
      .execute(async (trx) => {
        await trx
          .updateTable('audit_head')
          .set((eb) => ({ seq: eb.ref('seq') }))
          .where('id', '=', 1)
          .execute();
        const label = (await trx.selectFrom('store_meta').select('value').where('name', '=', CHAIN_META).executeTakeFirst())?.value ?? 'sha256';
        if (label === chainLabel(chain)) return { chain };
        const version = /^hmac-sha256:v(\d+)$/.exec(label)?.[1];
        const before = version === undefined ? UNKEYED : earlier(Number(version));
        if (!before) throw new StoreError('key-mismatch', `the audit chain is keyed with store key version ${version}, which is not configured: add it to retiredQuarantineKeys`);
        const relinked = await walkChain(trx, before, chain);
        if (!relinked.ok) {
          // Thrown inside the transaction, so the links re-made before the break are rolled back with it.
          throw new ChainNotKeyed(
            before,
            `the audit chain is broken at entry ${relinked.brokenAtSeq} (${relinked.reason}), so it was not re-keyed; run "hallmonitor audit verify"`,
          );
        }
        await trx.updateTable('audit_head').set({ hash: relinked.headHash }).where('id', '=', 1).execute();
        await trx
          .insertInto('store_meta')
          .values({ name: CHAIN_META, value: chainLabel(chain) })
          .onConflict((conflict) => conflict.column('name').doUpdateSet({ value: chainLabel(chain) }))
          .execute();
        return { chain };
      })
      .catch((error: unknown) => {
        if (error instanceof ChainNotKeyed) return { chain: error.chain, problem: error.message };
        throw error;
      });
  }

  async append(entry: AuditEntry): Promise<AppendedEntry> {
    const appended = await this.db.transaction().execute((trx) => this.appendWithin(trx, entry));
    this.#anchorSoon();
    return appended;
  }

  /**
   * Appends several entries in one transaction, in order: one commit for the lot, and one statement
   * per table rather than four or more per entry (the group commit's statements ran on the event
   * loop at about 0.2 ms an entry; docs/benchmarks.md). The rows are those `appendWithin` would
   * write one by one. `durability` says when the commit returns (`CommitDurability`).
   */
  async appendAll(entries: readonly AuditEntry[], durability: CommitDurability = 'disk'): Promise<AppendedEntry[]> {
    if (entries.length === 0) return [];
    const append = (db: Kysely<StoreDatabase>) =>
      db.transaction().execute(async (trx) => {
        if (durability === 'written' && this.engine === 'postgres') await sql`set local synchronous_commit = off`.execute(trx);
        return this.appendAllWithin(trx, entries);
      });
    const appended = durability === 'disk' || this.engine === 'postgres' ? await append(this.db) : await this.#appendAtLowerSafety(append);
    this.#anchorSoon();
    return appended;
  }

  // SQLite changes its safety level only outside a transaction, and for the connection: on one connection
  // held throughout, so that no other transaction (a hold, whose 250 needs the disk) commits at the lower level.
  #appendAtLowerSafety(append: (db: Kysely<StoreDatabase>) => Promise<AppendedEntry[]>): Promise<AppendedEntry[]> {
    return this.db.connection().execute(async (connection) => {
      await sql`pragma synchronous = normal`.execute(connection);
      try {
        return await append(connection);
      } finally {
        await sql`pragma synchronous = full`.execute(connection);
      }
    });
  }

  /** Moves the anchor to the committed head, at most one move at a time; one asked for meanwhile runs after it. */
  #anchorSoon(): void {
    if (!this.#anchor) return;
    if (this.#anchoring) {
      this.#anchorAgain = true;
      return;
    }
    this.#anchoring = this.#moveAnchor(this.#anchor)
      // A failed write leaves the anchor behind, never ahead: the next append or tick tries again.
      .catch(() => undefined)
      .finally(() => {
        this.#anchoring = undefined;
        if (this.#anchorAgain) {
          this.#anchorAgain = false;
          this.#anchorSoon();
        }
      });
  }

  async #moveAnchor(anchor: AuditAnchor): Promise<void> {
    const head = await this.db.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    this.#seenSeq = head.seq;
    const scheme = await this.#scheme(this.db);
    const anchored = await anchor.read();
    if (anchored && head.seq <= anchored.seq) return;
    if (anchored && !(await this.#stillHolds(anchored, head))) return;
    await anchor.write({ seq: head.seq, hash: head.hash, scheme });
  }

  /** Whether the chain still holds the anchored entry as it was: a truncated chain that grew again does not. */
  async #stillHolds(anchored: AnchoredHead, head: { readonly anchor_seq: number; readonly anchor_hash: string }): Promise<boolean> {
    // Retention deleted it: the prune anchor stands for it (the entries before are gone for good either way).
    if (anchored.seq < head.anchor_seq) return true;
    const sameLinks = anchored.scheme === (await this.#scheme(this.db));
    if (anchored.seq === head.anchor_seq) return !sameLinks || head.anchor_hash === anchored.hash;
    const row = await this.db.selectFrom('audit_log').select('hash').where('seq', '=', anchored.seq).executeTakeFirst();
    return row !== undefined && (!sameLinks || row.hash === anchored.hash);
  }

  async #scheme(db: Kysely<StoreDatabase>): Promise<string> {
    return (await db.selectFrom('store_meta').select('value').where('name', '=', CHAIN_META).executeTakeFirst())?.value ?? 'sha256';
  }

  /** Moves the anchor to the head now (at start, and before the store closes); stops the timer with `final`. */
  async anchorHead(final = false): Promise<void> {
    if (final && this.#anchorTimer) clearInterval(this.#anchorTimer);
    await this.#anchoring;
    this.#anchorSoon();
    await this.#anchoring;
  }

  /**
   * Makes every commit so far safe from a power cut: SQLite's WAL is flushed with a passive checkpoint (which
   * syncs it first, and waits for no reader); PostgreSQL flushes commits made without waiting on its own,
   * within three times its `wal_writer_delay` (600 ms by default).
   */
  async syncToDisk(): Promise<void> {
    if (this.engine === 'sqlite') await sql`pragma wal_checkpoint(PASSIVE)`.execute(this.db);
  }

  private async appendAllWithin(trx: Transaction<StoreDatabase>, entries: readonly AuditEntry[]): Promise<AppendedEntry[]> {
    const head = await trx
      .updateTable('audit_head')
      .set((eb) => ({ seq: eb('seq', '+', entries.length) }))
      .where('id', '=', 1)
      .returning(['seq', 'hash'])
      .executeTakeFirstOrThrow();
    const chained = entries.map((entry, index) => chainedEntry(head.seq - entries.length + 1 + index, entry));
    const rows: AuditLogTable[] = [];
    let prevHash = head.hash;
    for (const entry of chained) {
      const hash = entryHash(prevHash, entry, this.chain);
      rows.push(auditRow(entry, prevHash, hash));
      prevHash = hash;
    }
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      await trx
        .insertInto('audit_log')
        .values(rows.slice(start, start + ROWS_PER_INSERT))
        .execute();
    }
    const categories = chained.flatMap((entry) => Object.entries(entry.categories).map(([category, count]) => ({ seq: entry.seq, category, count })));
    const rules = chained.flatMap((entry) => entry.ruleIds.map((rule_id, position) => ({ seq: entry.seq, position, rule_id })));
    for (let start = 0; start < categories.length; start += ROWS_PER_INSERT) {
      await trx
        .insertInto('audit_categories')
        .values(categories.slice(start, start + ROWS_PER_INSERT))
        .execute();
    }
    for (let start = 0; start < rules.length; start += ROWS_PER_INSERT) {
      await trx
        .insertInto('audit_rules')
        .values(rules.slice(start, start + ROWS_PER_INSERT))
        .execute();
    }
    await trx.updateTable('audit_head').set({ hash: prevHash }).where('id', '=', 1).execute();
    for (const [index, entry] of entries.entries()) {
      if (entry.kind === 'verdict') await recordIncident(trx, chained[index]!, entry.action);
    }
    await recordVerdictActivity(trx, chained);
    return rows.map((row) => ({ seq: row.seq, hash: row.hash }));
  }

  /**
   * Appends inside the caller's transaction (the store's own use: a hold or decision and its audit
   * entry commit together). A verdict that stopped the message also enters the incident register, and one that
   * found anything the activity explorer (activity-log.ts).
   */
  async appendWithin(trx: Transaction<StoreDatabase>, entry: AuditEntry): Promise<AppendedEntry> {
    // The head row's lock serialises appenders, across processes too (a row lock on PostgreSQL, the
    // write lock on SQLite), so each entry links to the one committed before it and the chain never forks.
    const head = await trx
      .updateTable('audit_head')
      .set((eb) => ({ seq: eb('seq', '+', 1) }))
      .where('id', '=', 1)
      .returning(['seq', 'hash'])
      .executeTakeFirstOrThrow();
    const chained = chainedEntry(head.seq, entry);
    this.#appendedSeq = Math.max(this.#appendedSeq, head.seq);
    const hash = entryHash(head.hash, chained, this.chain);
    await trx
      .insertInto('audit_log')
      .values(auditRow(chained, head.hash, hash))
      .execute();
    const categories = Object.entries(chained.categories);
    if (categories.length > 0) {
      await trx
        .insertInto('audit_categories')
        .values(categories.map(([category, count]) => ({ seq: head.seq, category, count })))
        .execute();
    }
    if (chained.ruleIds.length > 0) {
      await trx
        .insertInto('audit_rules')
        .values(chained.ruleIds.map((rule_id, position) => ({ seq: head.seq, position, rule_id })))
        .execute();
    }
    await trx.updateTable('audit_head').set({ hash }).where('id', '=', 1).execute();
    if (entry.kind === 'verdict') {
      await recordIncident(trx, chained, entry.action);
      await recordVerdictActivity(trx, [chained]);
    }
    return { seq: head.seq, hash };
  }

  /**
   * Walks the chain from the anchor to the head, recomputing every link as the store's meta row says the chain is
   * linked, and says which: keyed (a database writer cannot rewrite it unnoticed) or not.
   */
  async verify(): Promise<ChainVerification> {
    // The anchor first catches up with what this process appended, so the answer does not depend on timing.
    while (this.#anchoring) await this.#anchoring;
    const label = await this.#scheme(this.db);
    const anchored = await this.#anchor?.read();
    const scheme = { scheme: label, keyed: label !== 'sha256', ...(anchored ? { anchoredSeq: anchored.seq } : {}) };
    // A label this process cannot recompute (another key version) is reported, not guessed at.
    if (label !== chainLabel(this.chain) && label !== 'sha256') return { ...broken(0, `the chain is linked with ${label}, not this store's key`), ...scheme };
    const result = await walkChain(this.db, label === 'sha256' ? UNKEYED : this.chain);
    if (!result.ok || !anchored) return { ...result, ...scheme };
    return { ...(await this.#reachesAnchor(result, anchored)), ...scheme };
  }

  /** The links verified from the start to the head; what the anchor outside the database adds is whether the head is the end. */
  async #reachesAnchor(result: BareVerification & { readonly ok: true }, anchored: AnchoredHead): Promise<BareVerification> {
    if (result.headSeq < anchored.seq) {
      return broken(
        result.headSeq + 1,
        `the chain ends at entry ${result.headSeq}, but entry ${anchored.seq} was written (the head anchored outside the database, ${this.#anchor!.file}): the newest entries were removed`,
      );
    }
    const head = await this.db.selectFrom('audit_head').select(['anchor_seq', 'anchor_hash']).where('id', '=', 1).executeTakeFirstOrThrow();
    if (!(await this.#stillHolds(anchored, head)))
      return broken(anchored.seq, `entry ${anchored.seq} is not the one anchored outside the database: the chain was cut there and written again`);
    return result;
  }

  /**
   * Deletes the entries written before `before` (a prefix of the chain) and records the last deleted
   * entry's seq and hash as the anchor that `verify()` starts from. Returns how many were deleted.
   */
  async prune(before: Date): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      // Locks the head first, as appends do, so no append links to an entry while it is being deleted.
      await trx
        .updateTable('audit_head')
        .set((eb) => ({ seq: eb.ref('seq') }))
        .where('id', '=', 1)
        .execute();
      const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).where('at', '<', before.toISOString()).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      if (!last) return 0;
      await trx.deleteFrom('audit_categories').where('seq', '<=', last.seq).execute();
      await trx.deleteFrom('audit_rules').where('seq', '<=', last.seq).execute();
      const deleted = await trx.deleteFrom('audit_log').where('seq', '<=', last.seq).executeTakeFirst();
      await trx.updateTable('audit_head').set({ anchor_seq: last.seq, anchor_hash: last.hash }).where('id', '=', 1).execute();
      return Number(deleted.numDeletedRows);
    });
  }

  /** The entries about one message, oldest first: what the review page shows as its history. */
  async forMessage(messageId: string): Promise<AuditRecord[]> {
    const rows = await this.db.selectFrom('audit_log').selectAll().where('message_id', '=', messageId).orderBy('seq').execute();
    if (rows.length === 0) return [];
    const details = await this.#details(
      rows[0]!.seq,
      rows.at(-1)!.seq,
      rows.map((row) => row.seq),
    );
    return rows.map((row) => ({ ...fromRow(row, details), prevHash: row.prev_hash, hash: row.hash }));
  }

  async countsByDay(range: AuditRange): Promise<DailyCounts> {
    return this.#countsBy(range, 10);
  }

  /**
   * As `countsByDay`, per UTC hour (`day` is `YYYY-MM-DDTHH`): whole hours fold into any time zone's days, so a report
   * by Europe/London dates (whose offset is a whole hour) counts each day exactly.
   */
  async countsByHour(range: AuditRange): Promise<DailyCounts> {
    return this.#countsBy(range, 13);
  }

  async #countsBy(range: AuditRange, length: 10 | 13): Promise<DailyCounts> {
    const day = length === 10 ? sql<string>`substr(audit_log.at, 1, 10)` : sql<string>`substr(audit_log.at, 1, 13)`;
    const verdicts = await this.db
      .selectFrom('audit_log')
      .select([day.as('day'), 'action', (eb) => eb.fn.countAll<string | number>().as('count')])
      .where((eb) => verdictsIn(eb, range))
      .groupBy([day, 'action'])
      .orderBy(day)
      .orderBy('action')
      .execute();
    const findings = await this.db
      .selectFrom('audit_log')
      .innerJoin('audit_categories', 'audit_categories.seq', 'audit_log.seq')
      .select([day.as('day'), 'audit_categories.category', (eb) => eb.fn.sum<string | number>('audit_categories.count').as('count')])
      .where((eb) => verdictsIn(eb, range))
      .groupBy([day, 'audit_categories.category'])
      .orderBy(day)
      .orderBy('audit_categories.category')
      .execute();
    return {
      verdicts: verdicts.map((row) => ({ day: row.day, action: row.action, count: Number(row.count) })),
      findings: findings.map((row) => ({ day: row.day, category: row.category, count: Number(row.count) })),
    };
  }

  /** Verdicts per school and action in the range: a trust's schools side by side. */
  async countsBySchool(range: AuditRange): Promise<{ schoolId: string; action: string; count: number }[]> {
    const rows = await this.db
      .selectFrom('audit_log')
      .select(['school_id', 'action', (eb) => eb.fn.countAll<string | number>().as('count')])
      .where((eb) => verdictsIn(eb, range))
      .groupBy(['school_id', 'action'])
      .orderBy('school_id')
      .orderBy('action')
      .execute();
    return rows.map((row) => ({ schoolId: row.school_id, action: row.action, count: Number(row.count) }));
  }

  /** Senders whose mail was stopped (quarantined or returned) most often: who may need training. */
  async topSenders(range: AuditRange, limit = 10): Promise<{ sender: string; stopped: number }[]> {
    const rows = await this.db
      .selectFrom('audit_log')
      .select(['sender', (eb) => eb.fn.countAll<string | number>().as('stopped')])
      .where((eb) => eb.and([verdictsIn(eb, range), eb('action', 'in', ['quarantine', 'return'])]))
      .groupBy('sender')
      .orderBy('stopped', 'desc')
      .orderBy('sender')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ sender: row.sender ?? '', stopped: Number(row.stopped) }));
  }

  /** Rules by how many verdicts they fired in. */
  async topRules(range: AuditRange, limit = 10): Promise<{ ruleId: string; fired: number }[]> {
    const rows = await this.db
      .selectFrom('audit_log')
      .innerJoin('audit_rules', 'audit_rules.seq', 'audit_log.seq')
      .select(['audit_rules.rule_id', (eb) => eb.fn.countAll<string | number>().as('fired')])
      .where((eb) => verdictsIn(eb, range))
      .groupBy('audit_rules.rule_id')
      .orderBy('fired', 'desc')
      .orderBy('audit_rules.rule_id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ ruleId: row.rule_id, fired: Number(row.fired) }));
  }

  async #details(firstSeq: number, lastSeq: number, seqs?: readonly number[]): Promise<EntryDetails> {
    return entryDetails(this.db, firstSeq, lastSeq, seqs);
  }
}

/**
 * Verifies the chain linked with `chain` from the anchor to the head; with `relink`, rewrites each link as
 * `relink` makes it (in the caller's transaction), the result's head hash being the new one.
 */
async function walkChain(db: Kysely<StoreDatabase>, chain: ChainKey, relink?: ChainKey): Promise<BareVerification> {
  const head = await db.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  let expectedSeq = head.anchor_seq + 1;
  let prevHash = head.anchor_hash;
  let newPrev = head.anchor_hash;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>=', expectedSeq).orderBy('seq').limit(VERIFY_PAGE).execute();
    if (rows.length === 0) break;
    const details = await entryDetails(db, rows[0]!.seq, rows.at(-1)!.seq);
    for (const row of rows) {
      if (row.seq !== expectedSeq) return broken(expectedSeq, `entry ${expectedSeq} is missing`);
      if (row.prev_hash !== prevHash) return broken(row.seq, 'its previous hash does not match the entry before it');
      const entry = fromRow(row, details);
      if (entryHash(prevHash, entry, chain) !== row.hash) return broken(row.seq, 'its content does not match its hash');
      if (relink) {
        const hash = entryHash(newPrev, entry, relink);
        await db.updateTable('audit_log').set({ prev_hash: newPrev, hash }).where('seq', '=', row.seq).execute();
        newPrev = hash;
      }
      prevHash = row.hash;
      expectedSeq += 1;
    }
  }
  if (head.seq !== expectedSeq - 1) return broken(expectedSeq, `the chain ends at ${expectedSeq - 1} but its head is ${head.seq}`);
  if (head.hash !== prevHash) return broken(head.seq, 'the head hash does not match the last entry');
  return { ok: true, entries: head.seq - head.anchor_seq, headSeq: head.seq, headHash: relink ? newPrev : head.hash };
}

type BareVerification =
  | { readonly ok: true; readonly entries: number; readonly headSeq: number; readonly headHash: string }
  | { readonly ok: false; readonly brokenAtSeq: number; readonly reason: string };

/** The categories and rule ids of the entries from `firstSeq` to `lastSeq`, or only of `seqs` among them. */

function broken(brokenAtSeq: number, reason: string): BareVerification {
  return { ok: false, brokenAtSeq, reason };
}

function verdictsIn(eb: ExpressionBuilder<StoreDatabase, 'audit_log'>, range: AuditRange) {
  const conditions: Expression<SqlBool>[] = [
    eb('audit_log.kind', '=', 'verdict'),
    eb('audit_log.at', '>=', range.since.toISOString()),
    eb('audit_log.at', '<', range.until.toISOString()),
  ];
  if (range.schoolIds) {
    conditions.push(range.schoolIds.length > 0 ? eb('audit_log.school_id', 'in', [...range.schoolIds]) : sql<SqlBool>`1 = 0`);
  }
  return eb.and(conditions);
}

function chainedEntry(seq: number, entry: AuditEntry): ChainedEntry {
  const at = (entry.at ?? new Date()).toISOString();
  if (entry.kind === 'verdict') {
    return {
      seq,
      at,
      schoolId: entry.schoolId,
      kind: entry.kind,
      action: entry.action,
      messageId: entry.messageId,
      actor: null,
      reason: null,
      sender: entry.sender,
      recipientDomains: [...entry.recipientDomains],
      recipientCount: entry.recipientCount,
      scanMs: Math.round(entry.timings.scanMs),
      actMs: Math.round(entry.timings.actMs),
      replyCode: entry.replyCode,
      ruleIds: [...entry.ruleIds],
      categories: { ...entry.categories },
    };
  }
  return {
    seq,
    at,
    schoolId: entry.schoolId,
    kind: entry.kind,
    action: entry.action,
    messageId: entry.messageId ?? null,
    actor: entry.actor,
    reason: entry.reason ?? null,
    sender: null,
    recipientDomains: null,
    recipientCount: null,
    scanMs: null,
    actMs: null,
    replyCode: null,
    ruleIds: [],
    categories: {},
  };
}

function auditRow(entry: ChainedEntry, prevHash: string, hash: string): AuditLogTable {
  return {
    seq: entry.seq,
    at: entry.at,
    school_id: entry.schoolId,
    kind: entry.kind,
    action: entry.action,
    message_id: entry.messageId,
    actor: entry.actor,
    reason: entry.reason,
    sender: entry.sender,
    recipient_domains: entry.recipientDomains ? JSON.stringify(entry.recipientDomains) : null,
    recipient_count: entry.recipientCount,
    scan_ms: entry.scanMs,
    act_ms: entry.actMs,
    reply_code: entry.replyCode,
    prev_hash: prevHash,
    hash,
  };
}

async function recordIncident(trx: Transaction<StoreDatabase>, entry: ChainedEntry, action: Action): Promise<void> {
  const incident = classifyIncident(action, Object.keys(entry.categories));
  if (!incident) return;
  await trx
    .insertInto('incidents')
    .values({
      seq: entry.seq,
      at: entry.at,
      school_id: entry.schoolId,
      message_id: entry.messageId ?? '',
      action,
      primary_type: incident.types[0]!,
      types: JSON.stringify(incident.types),
      data_protection: incident.dataProtection ? 1 : 0,
      categories: JSON.stringify(entry.categories),
      rule_ids: JSON.stringify(entry.ruleIds),
      sender: entry.sender ?? '',
      recipient_domains: JSON.stringify(entry.recipientDomains ?? []),
      recipient_count: entry.recipientCount ?? 0,
    })
    .execute();
}
