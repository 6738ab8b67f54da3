import type { Kysely } from 'kysely';
import type { ChainedEntry } from './audit-chain.js';
import type { AuditLogTable, StoreDatabase } from './schema.js';

// Audit rows read back as entries, with their categories and rules: the audit log's reads and the activity backfill.

/** The categories and rules of the entries between two sequence numbers (or only `seqs` among them). */
export async function entryDetails(db: Kysely<StoreDatabase>, firstSeq: number, lastSeq: number, seqs?: readonly number[]): Promise<EntryDetails> {
  {
    const [categories, rules] = await Promise.all([
      db
        .selectFrom('audit_categories')
        .selectAll()
        .where('seq', '>=', firstSeq)
        .where('seq', '<=', lastSeq)
        .$if(seqs !== undefined, (query) => query.where('seq', 'in', [...seqs!]))
        .execute(),
      db
        .selectFrom('audit_rules')
        .selectAll()
        .where('seq', '>=', firstSeq)
        .where('seq', '<=', lastSeq)
        .$if(seqs !== undefined, (query) => query.where('seq', 'in', [...seqs!]))
        .orderBy('seq')
        .orderBy('position')
        .execute(),
    ]);
    const details: EntryDetails = new Map();
    const of = (seq: number) => details.get(seq) ?? details.set(seq, { categories: {}, ruleIds: [] }).get(seq)!;
    for (const row of categories) of(row.seq).categories[row.category] = row.count;
    for (const row of rules) of(row.seq).ruleIds.push(row.rule_id);
    return details;
  }
}

export type EntryDetails = Map<number, { categories: Record<string, number>; ruleIds: string[] }>;

/** One audit row as the entry it was written from. */
export function fromRow(row: AuditLogTable, details: EntryDetails): ChainedEntry {
  const detail = details.get(row.seq);
  return {
    seq: row.seq,
    at: row.at,
    schoolId: row.school_id,
    kind: row.kind,
    action: row.action,
    messageId: row.message_id,
    actor: row.actor,
    reason: row.reason,
    sender: row.sender,
    recipientDomains: row.recipient_domains === null ? null : (JSON.parse(row.recipient_domains) as string[]),
    recipientCount: row.recipient_count,
    scanMs: row.scan_ms,
    actMs: row.act_ms,
    replyCode: row.reply_code,
    ruleIds: detail?.ruleIds ?? [],
    categories: detail?.categories ?? {},
  };
}
