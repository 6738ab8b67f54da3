import type { StoreSite } from './store-engines.js';

/** Back to the schema before migration 0010 (the activity explorer, false positives, the override alert's reason). */
export async function undoActivity(site: StoreSite): Promise<void> {
  await site.exec("DELETE FROM kysely_migration WHERE name = '0010-activity'");
  for (const table of ['false_positive_rules', 'false_positives', 'activity']) await site.exec(`DROP TABLE ${table}`);
  await site.exec('ALTER TABLE alert_inbox DROP COLUMN justification_category');
}

/** Back to the schema before migration 0009 (sender self-service), later ones undone first. */
export async function undoSenderSelfService(site: StoreSite): Promise<void> {
  await undoActivity(site);
  await site.exec("DELETE FROM kysely_migration WHERE name = '0009-sender-self-service'");
  for (const table of ['sender_release_requests', 'override_revocations', 'returned_rules', 'returned_bodies', 'returned_messages']) await site.exec(`DROP TABLE ${table}`);
}

/** Back to the schema before migration 0007 (MFA, the Entra ID binding, session stages), later ones undone first. */
export async function undoAccountSecurity(site: StoreSite): Promise<void> {
  await undoSenderSelfService(site);
  await site.exec("DELETE FROM kysely_migration WHERE name = '0007-account-security'");
  await site.exec('DROP INDEX users_entra_object');
  await site.exec('DROP TABLE recovery_codes');
  for (const column of ['mfa_secret', 'mfa_enrolled_at', 'mfa_last_step', 'entra_tid', 'entra_oid', 'entra_guest']) await site.exec(`ALTER TABLE users DROP COLUMN ${column}`);
  await site.exec('ALTER TABLE sessions DROP COLUMN stage');
}
