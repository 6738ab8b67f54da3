import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { backfillActivity } from './activity-log.js';
import { GENESIS_HASH } from './audit-chain.js';
import type { StoreDatabase } from './schema.js';

export type Engine = 'sqlite' | 'postgres';

/**
 * Migrations live in code rather than files so that the compiled `dist/` carries them. Append new
 * ones with the next number; never edit one that has shipped.
 */
export function storeMigrations(engine: Engine): MigrationProvider {
  const binary = engine === 'postgres' ? sql`bytea` : sql`blob`;
  const migrations: Record<string, Migration> = {
    '0001-initial': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('store_meta')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('quarantine')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('school_id', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('mail_from', 'text', (c) => c.notNull())
          .addColumn('rcpt', 'text', (c) => c.notNull())
          .addColumn('categories', 'text', (c) => c.notNull())
          .addColumn('rule_ids', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('size_bytes', 'integer', (c) => c.notNull())
          .addColumn('decided_at', 'text')
          .addColumn('decided_by', 'text')
          .addColumn('body_destroyed_at', 'text')
          .execute();
        await db.schema.createIndex('quarantine_school_received').on('quarantine').columns(['school_id', 'received_at']).execute();
        await db.schema.createIndex('quarantine_status_received').on('quarantine').columns(['status', 'received_at']).execute();

        await db.schema
          .createTable('quarantine_bodies')
          .addColumn('id', 'text', (c) => c.primaryKey().references('quarantine.id').onDelete('cascade'))
          .addColumn('raw', binary, (c) => c.notNull())
          .addColumn('subject', binary, (c) => c.notNull())
          .addColumn('findings', binary, (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('quarantine_tags')
          .addColumn('message_id', 'text', (c) => c.notNull().references('quarantine.id').onDelete('cascade'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('quarantine_tags_pk', ['message_id', 'kind', 'value'])
          .execute();
        await db.schema.createIndex('quarantine_tags_value').on('quarantine_tags').columns(['kind', 'value']).execute();

        await db.schema
          .createTable('audit_log')
          .addColumn('seq', 'integer', (c) => c.primaryKey())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('school_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text')
          .addColumn('actor', 'text')
          .addColumn('reason', 'text')
          .addColumn('sender', 'text')
          .addColumn('recipient_domains', 'text')
          .addColumn('recipient_count', 'integer')
          .addColumn('scan_ms', 'integer')
          .addColumn('act_ms', 'integer')
          .addColumn('reply_code', 'integer')
          .addColumn('prev_hash', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at']).execute();
        await db.schema.createIndex('audit_log_message').on('audit_log').columns(['message_id']).execute();

        await db.schema
          .createTable('audit_categories')
          .addColumn('seq', 'integer', (c) => c.notNull().references('audit_log.seq').onDelete('cascade'))
          .addColumn('category', 'text', (c) => c.notNull())
          .addColumn('count', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('audit_categories_pk', ['seq', 'category'])
          .execute();

        await db.schema
          .createTable('audit_rules')
          .addColumn('seq', 'integer', (c) => c.notNull().references('audit_log.seq').onDelete('cascade'))
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('rule_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('audit_rules_pk', ['seq', 'position'])
          .execute();

        await db.schema
          .createTable('audit_head')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('anchor_seq', 'integer', (c) => c.notNull())
          .addColumn('anchor_hash', 'text', (c) => c.notNull())
          .execute();
        await db
          .withTables<{ audit_head: { id: number; seq: number; hash: string; anchor_seq: number; anchor_hash: string } }>()
          .insertInto('audit_head')
          .values({ id: 1, seq: 0, hash: GENESIS_HASH, anchor_seq: 0, anchor_hash: GENESIS_HASH })
          .execute();

        await db.schema
          .createTable('incidents')
          .addColumn('seq', 'integer', (c) => c.primaryKey())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('school_id', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('primary_type', 'text', (c) => c.notNull())
          .addColumn('types', 'text', (c) => c.notNull())
          .addColumn('data_protection', 'integer', (c) => c.notNull())
          .addColumn('categories', 'text', (c) => c.notNull())
          .addColumn('rule_ids', 'text', (c) => c.notNull())
          .addColumn('sender', 'text', (c) => c.notNull())
          .addColumn('recipient_domains', 'text', (c) => c.notNull())
          .addColumn('recipient_count', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('incidents_school_at').on('incidents').columns(['school_id', 'at']).execute();
      },
    },
    '0002-users-and-sessions': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('users')
          .addColumn('email', 'text', (c) => c.primaryKey())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('disabled_at', 'text')
          .execute();
        await db.schema
          .createTable('sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('email', 'text', (c) => c.notNull().references('users.email').onDelete('cascade'))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('last_seen_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('sessions_expires').on('sessions').columns(['expires_at']).execute();
      },
    },
    '0003-user-schools': {
      async up(db: Kysely<unknown>) {
        // An account with no rows here sees the whole trust, which is what every account saw before.
        await db.schema
          .createTable('user_schools')
          .addColumn('email', 'text', (c) => c.notNull().references('users.email').onDelete('cascade'))
          .addColumn('school_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('user_schools_pk', ['email', 'school_id'])
          .execute();
      },
    },
    '0004-alert-inbox': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('alert_inbox')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('school_id', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('level', 'text', (c) => c.notNull())
          .addColumn('emailed', 'integer', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('rules', 'text', (c) => c.notNull())
          .addColumn('sender', 'text', (c) => c.notNull())
          .addColumn('recipient_domains', 'text', (c) => c.notNull())
          .addColumn('recipient_count', 'integer', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('acknowledged_at', 'text')
          .addColumn('acknowledged_by', 'text')
          .addColumn('note', 'text')
          .execute();
        await db.schema.createIndex('alert_inbox_role_status_at').on('alert_inbox').columns(['role', 'status', 'at']).execute();
        await db.schema.createIndex('alert_inbox_school_at').on('alert_inbox').columns(['school_id', 'at']).execute();
      },
    },
    '0005-users-all-schools': {
      async up(db: Kysely<unknown>) {
        // The whole trust becomes an explicit grant: an account with no school rows used to see every school, so
        // each such account gets the flag and keeps what it saw; from now on no rows and no flag sees nothing.
        await db.schema
          .alterTable('users')
          .addColumn('all_schools', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await sql`UPDATE users SET all_schools = 1 WHERE NOT EXISTS (SELECT 1 FROM user_schools WHERE user_schools.email = users.email)`.execute(db);
      },
    },
    '0006-release-requests': {
      async up(db: Kysely<unknown>) {
        // A release request is the store's record, read by the job when it runs: a later "release encrypted"
        // then governs a plain release still waiting, and a release in flight (status `releasing`) is not deletable.
        for (const [column, type] of [
          ['release_requested_at', 'text'],
          ['release_requested_by', 'text'],
          ['release_encrypt', 'integer'],
        ] as const) {
          await db.schema.alterTable('quarantine').addColumn(column, type).execute();
        }
      },
    },
    '0007-account-security': {
      async up(db: Kysely<unknown>) {
        // MFA (a sealed TOTP secret, the last time step accepted, single-use recovery codes), the Entra ID binding,
        // and how far a session has got through sign-in.
        await db.schema.alterTable('users').addColumn('mfa_secret', binary).execute();
        await db.schema.alterTable('users').addColumn('mfa_enrolled_at', 'text').execute();
        await db.schema.alterTable('users').addColumn('mfa_last_step', 'integer').execute();
        await db.schema.alterTable('users').addColumn('entra_tid', 'text').execute();
        await db.schema.alterTable('users').addColumn('entra_oid', 'text').execute();
        await db.schema
          .alterTable('users')
          .addColumn('entra_guest', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createIndex('users_entra_object').unique().on('users').columns(['entra_tid', 'entra_oid']).execute();
        await db.schema
          .createTable('recovery_codes')
          .addColumn('email', 'text', (c) => c.notNull().references('users.email').onDelete('cascade'))
          .addColumn('code_hash', 'text', (c) => c.notNull())
          .addColumn('used_at', 'text')
          .addPrimaryKeyConstraint('recovery_codes_pk', ['email', 'code_hash'])
          .execute();
        await db.schema
          .alterTable('sessions')
          .addColumn('stage', 'text', (c) => c.notNull().defaultTo('complete'))
          .execute();
        // The roles that now need a second factor sign in again, and enrol on the way.
        await sql`DELETE FROM sessions WHERE email IN (SELECT email FROM users WHERE role IN ('dpo', 'dsl', 'admin'))`.execute(db);
      },
    },
    '0009-sender-self-service': {
      async up(db: Kysely<unknown>) {
        // A returned message is kept sealed while its notice's link may still send it (src/store/returned-store.ts).
        await db.schema
          .createTable('returned_messages')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('school_id', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('mail_from', 'text', (c) => c.notNull())
          .addColumn('rcpt', 'text', (c) => c.notNull())
          .addColumn('rule_ids', 'text', (c) => c.notNull())
          .addColumn('overridable', 'integer', (c) => c.notNull())
          .addColumn('encrypt', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('size_bytes', 'integer', (c) => c.notNull())
          .addColumn('overridden_at', 'text')
          .addColumn('justification', 'text')
          .addColumn('body_destroyed_at', 'text')
          .execute();
        await db.schema.createIndex('returned_messages_school_overridden').on('returned_messages').columns(['school_id', 'overridden_at']).execute();
        await db.schema.createIndex('returned_messages_expires').on('returned_messages').columns(['expires_at']).execute();
        await db.schema
          .createTable('returned_bodies')
          .addColumn('id', 'text', (c) => c.primaryKey().references('returned_messages.id').onDelete('cascade'))
          .addColumn('raw', binary, (c) => c.notNull())
          .addColumn('notice', binary, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('returned_rules')
          .addColumn('message_id', 'text', (c) => c.notNull().references('returned_messages.id').onDelete('cascade'))
          .addColumn('rule_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('returned_rules_pk', ['message_id', 'rule_id'])
          .execute();
        await db.schema.createIndex('returned_rules_rule').on('returned_rules').columns(['rule_id']).execute();
        await db.schema
          .createTable('override_revocations')
          .addColumn('school_id', 'text', (c) => c.notNull())
          .addColumn('sender', 'text', (c) => c.notNull())
          .addColumn('rule_id', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text', (c) => c.notNull())
          .addColumn('revoked_by', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('override_revocations_pk', ['school_id', 'sender', 'rule_id'])
          .execute();
        // A sender's request for release is a flag for the DPO, not a release: the quarantine's own
        // release_requested_* columns (0006) are a reviewer's order that the release job carries out.
        await db.schema
          .createTable('sender_release_requests')
          .addColumn('message_id', 'text', (c) => c.primaryKey().references('quarantine.id').onDelete('cascade'))
          .addColumn('school_id', 'text', (c) => c.notNull())
          .addColumn('requested_at', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0010-activity': {
      async up(db: Kysely<unknown>) {
        // A sender's override raises a DPO alert that names the category of their reason (never their words).
        await db.schema.alterTable('alert_inbox').addColumn('justification_category', 'text').execute();
        // The activity explorer's lines (src/store/activity-log.ts), filled from the audit entries already written.
        await db.schema
          .createTable('activity')
          .addColumn('seq', 'integer', (c) => c.primaryKey())
          .addColumn('verdict_seq', 'integer')
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('school_id', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('sender', 'text', (c) => c.notNull())
          .addColumn('actor', 'text')
          .addColumn('recipient_domains', 'text', (c) => c.notNull())
          .addColumn('recipient_count', 'integer', (c) => c.notNull())
          .addColumn('rule_ids', 'text', (c) => c.notNull())
          .addColumn('categories', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('activity_at').on('activity').columns(['at']).execute();
        await db.schema.createIndex('activity_school_at').on('activity').columns(['school_id', 'at']).execute();
        await db.schema.createIndex('activity_sender_at').on('activity').columns(['sender', 'at']).execute();
        await db.schema.createIndex('activity_message').on('activity').columns(['message_id']).execute();
        await backfillActivity(db as Kysely<StoreDatabase>);
        // Findings reviewers marked as false positives (src/store/false-positives.ts).
        await db.schema
          .createTable('false_positives')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('verdict_seq', 'integer', (c) => c.notNull())
          .addColumn('school_id', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('message_at', 'text', (c) => c.notNull())
          .addColumn('category', 'text', (c) => c.notNull())
          .addColumn('term', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('marked_by', 'text', (c) => c.notNull())
          .addColumn('marked_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('false_positives_school_at').on('false_positives').columns(['school_id', 'message_at']).execute();
        await db.schema.createIndex('false_positives_verdict').on('false_positives').columns(['verdict_seq']).execute();
        await db.schema
          .createTable('false_positive_rules')
          .addColumn('id', 'text', (c) => c.notNull().references('false_positives.id').onDelete('cascade'))
          .addColumn('rule_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('false_positive_rules_pk', ['id', 'rule_id'])
          .execute();
      },
    },
  };
  return { getMigrations: async () => migrations };
}
