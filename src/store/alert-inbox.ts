import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Action, AlertLevel } from '../policy/verdict.js';
import type { AlertRole } from './user-directory.js';
import type { AuditLog } from './audit-log.js';
import type { AlertInboxTable, StoreDatabase } from './schema.js';

export const ALERT_STATUSES = ['open', 'acknowledged'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** A rule as it read when it raised the alert: a later edit of the rules does not rewrite the record. */
export interface AlertedRule {
  readonly id: string;
  readonly description: string;
  readonly clause: string;
  /** How the rule asked this role to be told. */
  readonly level: AlertLevel;
  /** Findings per category that made it fire, e.g. `{ "pupil-name": 2 }`: never what matched. */
  readonly categories: Readonly<Record<string, number>>;
}

/**
 * One alert a verdict raised for one role: metadata only, as the alert email: never the
 * subject, the body, matched text or attachment names.
 */
export interface AlertInboxEntry {
  /** The alert email's job id (`alert.<messageKey>.<role>`): one alert per message and role, however often it is recorded. */
  readonly id: string;
  /** The message key: the quarantine id when the message was held. */
  readonly messageId: string;
  readonly schoolId: string;
  readonly role: AlertRole;
  /** `immediate` when any of its rules asked for an alert now; `digest` when they all wait for the daily digest. */
  readonly level: AlertLevel;
  /** Whether an alert email was queued: false when the role has no address configured, or for digest-only alerts. */
  readonly emailed: boolean;
  /** What the gateway did with the message, or `override`: its sender sent a returned message as it was. */
  readonly action: AlertAction;
  readonly rules: readonly AlertedRule[];
  /** The envelope sender's address. */
  readonly sender: string;
  readonly recipientDomains: readonly string[];
  readonly recipientCount: number;
  /** When the message was received (for an override: when it was sent as it was). */
  readonly at: Date;
  /** For an override: the category of the sender's reason (policy/justifications.ts), never their own words. */
  readonly justificationCategory?: string;
}

/** What an alert is about: a verdict's action, or a sender's override of a returned message. */
export type AlertAction = Action | 'override';

/** A recorded alert with what became of it. */
export interface InboxAlert extends AlertInboxEntry {
  readonly status: AlertStatus;
  readonly acknowledgedAt?: Date;
  /** The login of who acknowledged it. */
  readonly acknowledgedBy?: string;
  readonly note?: string;
}

export interface AlertInboxFilter {
  /** Only alerts for these roles; omitted means every role (the DPO's and the admin's view). */
  readonly roles?: readonly AlertRole[];
  /** Only these schools (an account's scope); omitted means every school, an empty list none. */
  readonly schoolIds?: readonly string[];
  readonly status?: AlertStatus;
  /** Default 50: open alerts first, then newest first. */
  readonly limit?: number;
  readonly offset?: number;
}

export interface Acknowledgement {
  /** The login of who dealt with it: the actor of the audit entry. */
  readonly actor: string;
  /** What they did about it, as they wrote it; it goes in the audit entry as well. */
  readonly note?: string;
  /** Default: now. */
  readonly at?: Date;
  /** Only alerts this person may see: the same scope their list was given. */
  readonly scope?: Pick<AlertInboxFilter, 'roles' | 'schoolIds'>;
}

export interface AcknowledgeResult {
  /** The ids this call moved from open to acknowledged; each has its audit entry. */
  readonly acknowledged: readonly string[];
  /** Ids already acknowledged, unknown, or outside the scope: left as they were. */
  readonly skipped: number;
}

const DEFAULT_LIMIT = 50;

/**
 * The alerts inbox: every alert a verdict raised for the Business Manager, the DPO or the DSL, whether or
 * not an email went with it, until someone acknowledges it. Written before the SMTP reply, by
 * `actOnVerdict`, so a 250 or 550 never follows an alert that is not recorded (src/actions/README.md).
 */
export class AlertInbox {
  constructor(
    private readonly db: Kysely<StoreDatabase>,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Records the alerts in one transaction and resolves after the commit. Idempotent: an id already
   * recorded (a client's retry of the same message) is left as it is, acknowledged or not. Returns how
   * many were new.
   */
  async record(entries: readonly AlertInboxEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const result = await this.db
      .insertInto('alert_inbox')
      .values(entries.map(rowOf))
      .onConflict((conflict) => conflict.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0);
  }

  async list(filter: AlertInboxFilter = {}): Promise<InboxAlert[]> {
    const rows = await this.db
      .selectFrom('alert_inbox')
      .selectAll()
      .where((eb) => matching(eb, filter))
      .orderBy(sql`case when status = 'open' then 0 else 1 end`)
      .orderBy('at', 'desc')
      .orderBy('id')
      .limit(filter.limit ?? DEFAULT_LIMIT)
      .offset(filter.offset ?? 0)
      .execute();
    return rows.map(alertOf);
  }

  /** How many match, ignoring `limit` and `offset`: for paging, and with `status: 'open'` for the count in the bar. */
  async count(filter: AlertInboxFilter = {}): Promise<number> {
    const row = await this.db
      .selectFrom('alert_inbox')
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .where((eb) => matching(eb, filter))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async get(id: string): Promise<InboxAlert | undefined> {
    const row = await this.db.selectFrom('alert_inbox').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? alertOf(row) : undefined;
  }

  /**
   * Marks open alerts acknowledged, each with a `human` audit entry `acknowledge`, in one transaction. The
   * UPDATE is conditional on `open`, so of two people acknowledging at once exactly one is recorded.
   */
  async acknowledge(ids: readonly string[], acknowledgement: Acknowledgement): Promise<AcknowledgeResult> {
    const at = (acknowledgement.at ?? new Date()).toISOString();
    const note = acknowledgement.note?.trim() || null;
    const unique = [...new Set(ids)];
    const acknowledged = await this.db.transaction().execute(async (trx) => {
      const done: string[] = [];
      for (const id of unique) {
        const row = await trx
          .updateTable('alert_inbox')
          .set({ status: 'acknowledged', acknowledged_at: at, acknowledged_by: acknowledgement.actor, note })
          .where((eb) => eb.and([eb('id', '=', id), matching(eb, { ...acknowledgement.scope, status: 'open' })]))
          .returning(['school_id', 'message_id', 'role'])
          .executeTakeFirst();
        if (!row) continue;
        await this.audit.appendWithin(trx, {
          kind: 'human',
          schoolId: row.school_id,
          actor: acknowledgement.actor,
          action: 'acknowledge',
          messageId: row.message_id,
          reason: `${row.role} alert acknowledged${note ? `: ${note}` : ''}`,
          at: new Date(at),
        });
        done.push(id);
      }
      return done;
    });
    return { acknowledged, skipped: unique.length - acknowledged.length };
  }

  /** Deletes alerts about messages received before `before` (retention, with the audit log); returns how many. */
  async prune(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('alert_inbox').where('at', '<', before.toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function matching(eb: ExpressionBuilder<StoreDatabase, 'alert_inbox'>, filter: AlertInboxFilter): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [];
  // An empty scope sees nothing, never everything.
  if (filter.roles) conditions.push(filter.roles.length > 0 ? eb('role', 'in', [...filter.roles]) : sql<SqlBool>`1 = 0`);
  if (filter.schoolIds) conditions.push(filter.schoolIds.length > 0 ? eb('school_id', 'in', [...filter.schoolIds]) : sql<SqlBool>`1 = 0`);
  if (filter.status) conditions.push(eb('status', '=', filter.status));
  return eb.and(conditions);
}

function rowOf(entry: AlertInboxEntry): AlertInboxTable {
  return {
    id: entry.id,
    message_id: entry.messageId,
    school_id: entry.schoolId,
    role: entry.role,
    level: entry.level,
    emailed: entry.emailed ? 1 : 0,
    action: entry.action,
    rules: JSON.stringify(entry.rules),
    sender: entry.sender,
    recipient_domains: JSON.stringify(entry.recipientDomains),
    recipient_count: entry.recipientCount,
    at: entry.at.toISOString(),
    justification_category: entry.justificationCategory ?? null,
    status: 'open',
    acknowledged_at: null,
    acknowledged_by: null,
    note: null,
  };
}

function alertOf(row: AlertInboxTable): InboxAlert {
  return {
    id: row.id,
    messageId: row.message_id,
    schoolId: row.school_id,
    role: row.role as AlertRole,
    level: row.level as AlertLevel,
    emailed: Number(row.emailed) === 1,
    action: row.action as AlertAction,
    rules: JSON.parse(row.rules) as AlertedRule[],
    sender: row.sender,
    recipientDomains: JSON.parse(row.recipient_domains) as string[],
    recipientCount: Number(row.recipient_count),
    at: new Date(row.at),
    ...(row.justification_category ? { justificationCategory: row.justification_category } : {}),
    status: row.status as AlertStatus,
    ...(row.acknowledged_at ? { acknowledgedAt: new Date(row.acknowledged_at) } : {}),
    ...(row.acknowledged_by ? { acknowledgedBy: row.acknowledged_by } : {}),
    ...(row.note ? { note: row.note } : {}),
  };
}
