import { sql, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Finding } from '../detect/finding.js';
import type { ActivityRecord } from './activity-log.js';
import type { AuditLog } from './audit-log.js';
import type { SchoolFilter } from './quarantine-store.js';
import type { StoreDatabase } from './schema.js';

/**
 * Categories whose matched text is a term of the policy's own vocabulary (a swear word, "self-harm", a chain
 * letter's "forward this to"), never a person's data: only these keep the term with a false positive, so the tuning
 * report can say which words misfire. A name, an identifier, an address or a recipient is never kept.
 */
const TERM_FAMILIES = ['language/', 'sensitive/', 'content/chain-letter'] as const;
const MAX_TERM = 60;
const MAX_REASON = 500;

/** A reviewer's judgement that a finding was wrong, with why. */
export interface FalsePositiveMark {
  /** The verdict's activity line (activity-log.ts): its school, message, time and seq. */
  readonly verdict: Pick<ActivityRecord, 'seq' | 'verdictSeq' | 'schoolId' | 'messageId' | 'at'>;
  readonly category: string;
  /** The vocabulary term that matched, for the categories that have one (`termOf`). */
  readonly term?: string | undefined;
  /** The rules the finding made fire (policy/rule-categories.ts): what the mark counts against. */
  readonly ruleIds: readonly string[];
  readonly reason: string;
  /** The reviewer's login. */
  readonly actor: string;
  readonly at: Date;
}

export interface MarkedFinding {
  readonly category: string;
  readonly term?: string;
  readonly reason: string;
  readonly markedBy: string;
  readonly markedAt: Date;
}

/** Counts of false positives per school: by rule (with how often the rule fired, for a rate), by category and by term. */
export interface TuningReport {
  readonly byRule: readonly { readonly schoolId: string; readonly ruleId: string; readonly falsePositives: number }[];
  readonly byCategory: readonly { readonly schoolId: string; readonly category: string; readonly falsePositives: number }[];
  readonly byTerm: readonly { readonly schoolId: string; readonly category: string; readonly term: string; readonly falsePositives: number }[];
}

/** The term to keep for a finding: the matched text, folded, for vocabulary categories; undefined for any other. */
export function termOf(finding: Pick<Finding, 'category' | 'match'>): string | undefined {
  if (!TERM_FAMILIES.some((family) => finding.category.startsWith(family))) return undefined;
  const term = finding.match.replace(/\s+/g, ' ').trim().toLowerCase();
  return term === '' ? undefined : term.slice(0, MAX_TERM);
}

/**
 * Findings reviewers marked as false positives (migration 0010): per verdict, category and term, once each, with the
 * rules the mark counts against; each mark and its audit entry (`false-positive`) commit together.
 */
export class FalsePositives {
  constructor(
    private readonly db: Kysely<StoreDatabase>,
    private readonly audit: AuditLog,
  ) {}

  /** Records the mark; false when that finding was marked already. */
  async mark(mark: FalsePositiveMark): Promise<boolean> {
    const term = mark.term ?? '';
    const reason = limited(mark.reason);
    const id = `${mark.verdict.seq}:${mark.category}:${term}`;
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('false_positives')
        .values({
          id,
          verdict_seq: mark.verdict.verdictSeq ?? mark.verdict.seq,
          school_id: mark.verdict.schoolId,
          message_id: mark.verdict.messageId,
          message_at: mark.verdict.at.toISOString(),
          category: mark.category,
          term,
          reason,
          marked_by: mark.actor,
          marked_at: mark.at.toISOString(),
        })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      const rules = [...new Set(mark.ruleIds)];
      if (rules.length > 0)
        await trx
          .insertInto('false_positive_rules')
          .values(rules.map((rule_id) => ({ id, rule_id })))
          .execute();
      await this.audit.appendWithin(trx, {
        kind: 'human',
        schoolId: mark.verdict.schoolId,
        actor: mark.actor,
        action: 'false-positive',
        messageId: mark.verdict.messageId,
        reason: `${mark.category}${term ? ` "${term}"` : ''}${rules.length > 0 ? ` (${rules.join(', ')})` : ''}: ${reason}`,
        at: mark.at,
      });
      return true;
    });
  }

  /** The marks on these verdicts, by verdict seq. */
  async among(verdictSeqs: readonly number[]): Promise<Map<number, MarkedFinding[]>> {
    const byVerdict = new Map<number, MarkedFinding[]>();
    if (verdictSeqs.length === 0) return byVerdict;
    const rows = await this.db
      .selectFrom('false_positives')
      .selectAll()
      .where('verdict_seq', 'in', [...new Set(verdictSeqs)])
      .orderBy('marked_at')
      .execute();
    for (const row of rows) {
      const marked: MarkedFinding = {
        category: row.category,
        ...(row.term ? { term: row.term } : {}),
        reason: row.reason,
        markedBy: row.marked_by,
        markedAt: new Date(row.marked_at),
      };
      byVerdict.set(Number(row.verdict_seq), [...(byVerdict.get(Number(row.verdict_seq)) ?? []), marked]);
    }
    return byVerdict;
  }

  /** False positives among the messages of the range (by when the message came), most first. */
  async tuning(filter: SchoolFilter & { readonly since: Date; readonly until: Date }): Promise<TuningReport> {
    // An empty scope sees nothing, never everything.
    const { schoolIds } = filter;
    const scope = (eb: ExpressionBuilder<StoreDatabase, 'false_positives'>) =>
      schoolIds ? (schoolIds.length > 0 ? eb('false_positives.school_id', 'in', [...schoolIds]) : sql<SqlBool>`1 = 0`) : sql<SqlBool>`1 = 1`;
    const since = filter.since.toISOString();
    const until = filter.until.toISOString();
    const [byRule, byCategory, byTerm] = await Promise.all([
      this.db
        .selectFrom('false_positives')
        .innerJoin('false_positive_rules', 'false_positive_rules.id', 'false_positives.id')
        .select(['false_positives.school_id', 'false_positive_rules.rule_id', (eb) => eb.fn.countAll<string | number>().as('count')])
        .where('false_positives.message_at', '>=', since)
        .where('false_positives.message_at', '<', until)
        .where(scope)
        .groupBy(['false_positives.school_id', 'false_positive_rules.rule_id'])
        .execute(),
      this.db
        .selectFrom('false_positives')
        .select(['false_positives.school_id', 'false_positives.category', (eb) => eb.fn.countAll<string | number>().as('count')])
        .where('false_positives.message_at', '>=', since)
        .where('false_positives.message_at', '<', until)
        .where(scope)
        .groupBy(['false_positives.school_id', 'false_positives.category'])
        .execute(),
      this.db
        .selectFrom('false_positives')
        .select(['false_positives.school_id', 'false_positives.category', 'false_positives.term', (eb) => eb.fn.countAll<string | number>().as('count')])
        .where('false_positives.message_at', '>=', since)
        .where('false_positives.message_at', '<', until)
        .where('false_positives.term', '!=', '')
        .where(scope)
        .groupBy(['false_positives.school_id', 'false_positives.category', 'false_positives.term'])
        .execute(),
    ]);
    const mostFirst = <Row extends { falsePositives: number }>(rows: Row[], key: (row: Row) => string) =>
      rows.sort((a, b) => b.falsePositives - a.falsePositives || key(a).localeCompare(key(b)));
    return {
      byRule: mostFirst(
        byRule.map((row) => ({ schoolId: row.school_id, ruleId: row.rule_id, falsePositives: Number(row.count) })),
        (row) => `${row.schoolId} ${row.ruleId}`,
      ),
      byCategory: mostFirst(
        byCategory.map((row) => ({ schoolId: row.school_id, category: row.category, falsePositives: Number(row.count) })),
        (row) => `${row.schoolId} ${row.category}`,
      ),
      byTerm: mostFirst(
        byTerm.map((row) => ({ schoolId: row.school_id, category: row.category, term: row.term, falsePositives: Number(row.count) })),
        (row) => `${row.schoolId} ${row.category} ${row.term}`,
      ),
    };
  }

  /** Deletes marks on messages from before `before` (retention, with the audit period); returns how many. */
  async prune(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('false_positives').where('message_at', '<', before.toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function limited(text: string): string {
  const line = text.trim();
  return line.length > MAX_REASON ? line.slice(0, MAX_REASON) : line;
}
