import { sql, type Kysely, type SqlBool } from 'kysely';
import type { IncidentType } from './incident-classifier.js';
import type { IncidentTable, StoreDatabase } from './schema.js';

/**
 * One near miss for the DPO's register: a message the gateway stopped. Entries are written by
 * `AuditLog` with the verdict's audit entry, in the same transaction, so none is ever missing.
 */
export interface Incident {
  /** The seq of the verdict's audit entry. */
  readonly seq: number;
  readonly at: Date;
  readonly schoolId: string;
  readonly messageId: string;
  readonly action: 'quarantine' | 'return';
  /** Every type that applies, most serious first. */
  readonly types: readonly IncidentType[];
  /** Whether personal data was at stake, rather than conduct only. */
  readonly dataProtection: boolean;
  readonly categories: Readonly<Record<string, number>>;
  readonly ruleIds: readonly string[];
  readonly sender: string;
  readonly recipientDomains: readonly string[];
  readonly recipientCount: number;
}

export interface IncidentFilter {
  /** Only these schools; omitted means every school. */
  readonly schoolIds?: readonly string[];
  /** Only incidents whose most serious type is this one. */
  readonly type?: IncidentType;
  readonly dataProtectionOnly?: boolean;
  readonly since?: Date;
  readonly until?: Date;
  /** Default: all, oldest first. */
  readonly limit?: number;
  readonly offset?: number;
}

/** The near-miss / incident register, read side. */
export class IncidentRegister {
  constructor(private readonly db: Kysely<StoreDatabase>) {}

  async list(filter: IncidentFilter = {}): Promise<Incident[]> {
    let query = this.db.selectFrom('incidents').selectAll();
    // An empty scope sees nothing, never everything.
    if (filter.schoolIds) query = filter.schoolIds.length > 0 ? query.where('school_id', 'in', [...filter.schoolIds]) : query.where(sql<SqlBool>`1 = 0`);
    if (filter.type) query = query.where('primary_type', '=', filter.type);
    if (filter.dataProtectionOnly) query = query.where('data_protection', '=', 1);
    if (filter.since) query = query.where('at', '>=', filter.since.toISOString());
    if (filter.until) query = query.where('at', '<', filter.until.toISOString());
    query = query.orderBy('seq');
    // SQLite accepts OFFSET only after a LIMIT.
    if (filter.limit !== undefined || filter.offset !== undefined) query = query.limit(filter.limit ?? Number.MAX_SAFE_INTEGER).offset(filter.offset ?? 0);
    return (await query.execute()).map(incidentOf);
  }

  /** Deletes the entries recorded before `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('incidents').where('at', '<', before.toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function incidentOf(row: IncidentTable): Incident {
  return {
    seq: row.seq,
    at: new Date(row.at),
    schoolId: row.school_id,
    messageId: row.message_id,
    action: row.action as Incident['action'],
    types: JSON.parse(row.types) as IncidentType[],
    dataProtection: Number(row.data_protection) === 1,
    categories: JSON.parse(row.categories) as Record<string, number>,
    ruleIds: JSON.parse(row.rule_ids) as string[],
    sender: row.sender,
    recipientDomains: JSON.parse(row.recipient_domains) as string[],
    recipientCount: Number(row.recipient_count),
  };
}
