import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { ChainedEntry } from './audit-chain.js';
import { entryDetails, fromRow } from './audit-rows.js';
import type { SchoolFilter } from './quarantine-store.js';
import type { ActivityTable, StoreDatabase } from './schema.js';

/** What the explorer lists: every verdict that found something or stopped the message, and what people did after. */
export const ACTIVITY_ACTIONS = ['deliver', 'encrypt', 'return', 'quarantine', 'override', 'release'] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];

/**
 * One line of the activity explorer: the same metadata as the audit entry it stands for, never content. An override
 * or a release carries the facts of the verdict it followed (its rules, categories and recipients), so a filter by
 * rule or sender finds both.
 */
export interface ActivityRecord {
  /** The audit entry's seq. */
  readonly seq: number;
  /** The seq of the message's verdict entry, whose rules and categories these are; absent when it was pruned first. */
  readonly verdictSeq?: number;
  readonly at: Date;
  readonly schoolId: string;
  readonly messageId: string;
  readonly action: ActivityAction;
  /** The envelope sender, lower-cased. */
  readonly sender: string;
  /** Who overrode (the sender) or released (the reviewer); absent for a verdict. */
  readonly actor?: string;
  readonly recipientDomains: readonly string[];
  readonly recipientCount: number;
  readonly ruleIds: readonly string[];
  /** Findings per category. */
  readonly categories: Readonly<Record<string, number>>;
}

export interface ActivityFilter extends SchoolFilter {
  readonly since?: Date;
  readonly until?: Date;
  /** The exact sender address, any case. */
  readonly sender?: string;
  readonly ruleId?: string;
  readonly category?: string;
  readonly action?: ActivityAction;
  /** Default: all, newest first. */
  readonly limit?: number;
  readonly offset?: number;
}

/** Rows per multi-row insert, as the audit log's: 12 columns each stays under both engines' parameter limits. */
const ROWS_PER_INSERT = 500;

/**
 * The activity explorer's record (table `activity`): a line per verdict that found something or did more than
 * deliver, and per override and completed release. Written in the transaction that appends the audit entry it
 * stands for, as the incident register is, so it never misses one and never holds one the audit lacks. Clean mail,
 * delivered with nothing found, writes nothing here: it is most mail, and there is nothing to look back at.
 */
export class ActivityLog {
  constructor(private readonly db: Kysely<StoreDatabase>) {}

  async list(filter: ActivityFilter = {}): Promise<ActivityRecord[]> {
    let query = this.db
      .selectFrom('activity')
      .selectAll()
      .where((eb) => matching(eb, filter))
      .orderBy('at', 'desc')
      .orderBy('seq', 'desc');
    // SQLite accepts OFFSET only after a LIMIT.
    if (filter.limit !== undefined || filter.offset !== undefined) query = query.limit(filter.limit ?? Number.MAX_SAFE_INTEGER).offset(filter.offset ?? 0);
    return (await query.execute()).map(recordOf);
  }

  async count(filter: ActivityFilter = {}): Promise<number> {
    const row = await this.db
      .selectFrom('activity')
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .where((eb) => matching(eb, filter))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** One line by its audit seq, within the scope given. */
  async get(seq: number, scope: SchoolFilter = {}): Promise<ActivityRecord | undefined> {
    const row = await this.db
      .selectFrom('activity')
      .selectAll()
      .where((eb) => eb.and([eb('seq', '=', seq), matching(eb, scope)]))
      .executeTakeFirst();
    return row ? recordOf(row) : undefined;
  }

  /** The verdict line of a message (the first, should a client's retry have written two). */
  async verdictOf(messageId: string, scope: SchoolFilter = {}): Promise<ActivityRecord | undefined> {
    const row = await this.db
      .selectFrom('activity')
      .selectAll()
      .where((eb) => eb.and([eb('message_id', '=', messageId), eb('actor', 'is', null), matching(eb, scope)]))
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    return row ? recordOf(row) : undefined;
  }

  /** How many verdicts each rule fired in, per school, in the range: the denominator of a rule's false-positive rate. */
  async firedPerRule(filter: Pick<ActivityFilter, 'schoolIds' | 'since' | 'until'>): Promise<{ schoolId: string; ruleId: string; fired: number }[]> {
    const rows = await this.db
      .selectFrom('activity')
      .innerJoin('audit_rules', 'audit_rules.seq', 'activity.verdict_seq')
      .select(['activity.school_id', 'audit_rules.rule_id', (eb) => eb.fn.count<string | number>('activity.seq').distinct().as('fired')])
      .where((eb) => eb.and([matching(eb, filter), eb('activity.actor', 'is', null)]))
      .groupBy(['activity.school_id', 'audit_rules.rule_id'])
      .execute();
    return rows.map((row) => ({ schoolId: row.school_id, ruleId: row.rule_id, fired: Number(row.fired) }));
  }

  /** Deletes lines from before `before` (retention, with the audit entries they stand for); returns how many. */
  async prune(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('activity').where('at', '<', before.toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** A verdict the explorer lists: it found something, a rule fired, or it did more than deliver. */
export function isActivity(entry: Pick<ChainedEntry, 'kind' | 'action' | 'ruleIds' | 'categories'>): boolean {
  return entry.kind === 'verdict' && (entry.action !== 'deliver' || entry.ruleIds.length > 0 || Object.keys(entry.categories).length > 0);
}

/** The lines for these verdict entries (the others are skipped), in the caller's transaction. */
export async function recordVerdictActivity(trx: Transaction<StoreDatabase> | Kysely<StoreDatabase>, entries: readonly ChainedEntry[]): Promise<void> {
  const rows = entries.filter(isActivity).map(verdictRow);
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT)
    await trx
      .insertInto('activity')
      .values(rows.slice(start, start + ROWS_PER_INSERT))
      .execute();
}

/**
 * The line for an override or a completed release, written with its audit entry: the facts of the message's
 * verdict line (its sender, recipients, rules and categories), `actor` being who acted.
 */
export async function recordDecisionActivity(
  trx: Transaction<StoreDatabase> | Kysely<StoreDatabase>,
  decision: {
    readonly seq: number;
    readonly at: string;
    readonly schoolId: string;
    readonly messageId: string;
    readonly action: 'override' | 'release';
    readonly actor: string;
    readonly sender: string;
  },
): Promise<void> {
  const verdict = await trx.selectFrom('activity').selectAll().where('message_id', '=', decision.messageId).where('actor', 'is', null).orderBy('seq').limit(1).executeTakeFirst();
  await trx
    .insertInto('activity')
    .values({
      seq: decision.seq,
      verdict_seq: verdict?.verdict_seq ?? null,
      at: decision.at,
      school_id: decision.schoolId,
      message_id: decision.messageId,
      action: decision.action,
      sender: (verdict?.sender ?? decision.sender).toLowerCase(),
      actor: decision.actor,
      recipient_domains: verdict?.recipient_domains ?? '[]',
      recipient_count: verdict?.recipient_count ?? 0,
      rule_ids: verdict?.rule_ids ?? '[]',
      categories: verdict?.categories ?? '{}',
    })
    .execute();
}

/**
 * Fills `activity` from the audit entries already written (migration 0010), so the explorer shows the whole audit
 * period from the first day: the verdicts, overrides, and releases that were delivered (a reviewer's request to
 * release is its own entry, `requested…`, and is not a release yet).
 */
export async function backfillActivity(db: Kysely<StoreDatabase>): Promise<void> {
  const PAGE = ROWS_PER_INSERT;
  for (let after = 0; ; ) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', after)
      .where((eb) =>
        eb.or([
          eb('kind', '=', 'verdict'),
          eb('action', '=', 'override'),
          eb.and([eb('action', '=', 'release'), eb.or([eb('reason', 'is', null), eb('reason', 'not like', 'requested%')])]),
        ]),
      )
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return;
    after = rows.at(-1)!.seq;
    const details = await entryDetails(
      db,
      rows[0]!.seq,
      after,
      rows.map((row) => row.seq),
    );
    // A page's verdicts in one insert, then its overrides and releases, which read the verdict lines (written before them).
    const verdicts = rows
      .filter((row) => row.kind === 'verdict')
      .map((row) => fromRow(row, details))
      .filter(isActivity)
      .map(verdictRow);
    if (verdicts.length > 0) await db.insertInto('activity').values(verdicts).execute();
    for (const row of rows) {
      if (row.kind === 'verdict' || !row.message_id) continue;
      await recordDecisionActivity(db, {
        seq: row.seq,
        at: row.at,
        schoolId: row.school_id,
        messageId: row.message_id,
        action: row.action as 'override' | 'release',
        actor: row.actor ?? '',
        sender: row.actor ?? '',
      });
    }
  }
}

function verdictRow(
  entry: Pick<ChainedEntry, 'seq' | 'at' | 'schoolId' | 'action' | 'messageId' | 'sender' | 'recipientDomains' | 'recipientCount' | 'ruleIds' | 'categories'>,
): ActivityTable {
  return {
    seq: entry.seq,
    verdict_seq: entry.seq,
    at: entry.at,
    school_id: entry.schoolId,
    message_id: entry.messageId ?? '',
    action: entry.action,
    sender: (entry.sender ?? '').toLowerCase(),
    actor: null,
    recipient_domains: JSON.stringify(entry.recipientDomains ?? []),
    recipient_count: entry.recipientCount ?? 0,
    rule_ids: JSON.stringify(entry.ruleIds),
    categories: JSON.stringify(entry.categories),
  };
}

function matching(eb: ExpressionBuilder<StoreDatabase, 'activity'>, filter: ActivityFilter): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [];
  // An empty scope sees nothing, never everything.
  if (filter.schoolIds) conditions.push(filter.schoolIds.length > 0 ? eb('activity.school_id', 'in', [...filter.schoolIds]) : sql<SqlBool>`1 = 0`);
  if (filter.since) conditions.push(eb('activity.at', '>=', filter.since.toISOString()));
  if (filter.until) conditions.push(eb('activity.at', '<', filter.until.toISOString()));
  if (filter.sender) conditions.push(eb('activity.sender', '=', filter.sender.toLowerCase()));
  if (filter.action) conditions.push(eb('activity.action', '=', filter.action));
  if (filter.ruleId) {
    const ruleId = filter.ruleId;
    conditions.push(
      eb.exists(eb.selectFrom('audit_rules').select(sql`1`.as('one')).whereRef('audit_rules.seq', '=', 'activity.verdict_seq').where('audit_rules.rule_id', '=', ruleId)),
    );
  }
  if (filter.category) {
    const category = filter.category;
    conditions.push(
      eb.exists(
        eb.selectFrom('audit_categories').select(sql`1`.as('one')).whereRef('audit_categories.seq', '=', 'activity.verdict_seq').where('audit_categories.category', '=', category),
      ),
    );
  }
  return eb.and(conditions);
}

function recordOf(row: ActivityTable): ActivityRecord {
  return {
    seq: Number(row.seq),
    ...(row.verdict_seq === null ? {} : { verdictSeq: Number(row.verdict_seq) }),
    at: new Date(row.at),
    schoolId: row.school_id,
    messageId: row.message_id,
    action: row.action as ActivityAction,
    sender: row.sender,
    ...(row.actor === null ? {} : { actor: row.actor }),
    recipientDomains: JSON.parse(row.recipient_domains) as string[],
    recipientCount: Number(row.recipient_count),
    ruleIds: JSON.parse(row.rule_ids) as string[],
    categories: JSON.parse(row.categories) as Record<string, number>,
  };
}
