/**
 * The tables as Kysely sees them, identical on SQLite and PostgreSQL. Times are ISO 8601 UTC text
 * (`2026-11-23T22:04:05.123Z`): they sort as text and `substr(at, 1, 10)` is the day on both engines.
 * Lists shown to people are JSON text; lists that queries filter or group on are child tables.
 */
export interface StoreDatabase {
  store_meta: StoreMetaTable;
  quarantine: QuarantineTable;
  quarantine_bodies: QuarantineBodyTable;
  quarantine_tags: QuarantineTagTable;
  audit_log: AuditLogTable;
  audit_categories: AuditCategoryTable;
  audit_rules: AuditRuleTable;
  audit_head: AuditHeadTable;
  incidents: IncidentTable;
  users: UserTable;
  user_schools: UserSchoolTable;
  sessions: SessionTable;
  recovery_codes: RecoveryCodeTable;
  alert_inbox: AlertInboxTable;
  returned_messages: ReturnedMessageTable;
  returned_bodies: ReturnedBodyTable;
  returned_rules: ReturnedRuleTable;
  override_revocations: OverrideRevocationTable;
  sender_release_requests: SenderReleaseRequestTable;
  activity: ActivityTable;
  false_positives: FalsePositiveTable;
  false_positive_rules: FalsePositiveRuleTable;
}

export interface StoreMetaTable {
  name: string;
  value: string;
}

/** One held message's metadata, in clear so the DPO can filter it. */
export interface QuarantineTable {
  id: string;
  school_id: string;
  received_at: string;
  mail_from: string;
  /** JSON array of the envelope recipients. */
  rcpt: string;
  /** JSON array of the finding categories, each once. */
  categories: string;
  /** JSON array of the rule ids that fired. */
  rule_ids: string;
  status: string;
  size_bytes: number;
  decided_at: string | null;
  decided_by: string | null;
  /** When retention destroyed the body; the row itself goes when the audit period ends. */
  body_destroyed_at: string | null;
  /** When a reviewer asked for its release (the worker delivers it); null while nobody has. */
  release_requested_at: string | null;
  /** Who asked last. */
  release_requested_by: string | null;
  /** 1 once any reviewer asked for it encrypted: the more protective request wins, as in policy. */
  release_encrypt: number | null;
}

/** The sealed parts, in their own table so that retention deletes the ciphertext rather than marking it. */
export interface QuarantineBodyTable {
  id: string;
  raw: Buffer;
  subject: Buffer;
  findings: Buffer;
}

export interface QuarantineTagTable {
  message_id: string;
  kind: 'category' | 'rule';
  value: string;
}

/** One hash-chained audit entry. Columns a kind does not use are null. */
export interface AuditLogTable {
  seq: number;
  at: string;
  school_id: string;
  kind: string;
  action: string;
  message_id: string | null;
  actor: string | null;
  reason: string | null;
  sender: string | null;
  /** JSON array. */
  recipient_domains: string | null;
  recipient_count: number | null;
  scan_ms: number | null;
  act_ms: number | null;
  reply_code: number | null;
  prev_hash: string;
  hash: string;
}

export interface AuditCategoryTable {
  seq: number;
  category: string;
  count: number;
}

export interface AuditRuleTable {
  seq: number;
  position: number;
  rule_id: string;
}

/**
 * One row (id 1): the chain's last seq and hash, locked by every append so the chain never forks,
 * and the anchor left by pruning (the seq and hash of the last entry deleted).
 */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
  anchor_seq: number;
  anchor_hash: string;
}

export interface IncidentTable {
  /** The seq of the verdict's audit entry. */
  seq: number;
  at: string;
  school_id: string;
  message_id: string;
  action: string;
  primary_type: string;
  /** JSON array of every incident type that applies, the primary one first. */
  types: string;
  /** 1 when the incident concerns personal data (a near miss the DPO must weigh), 0 for conduct only. */
  data_protection: number;
  categories: string;
  rule_ids: string;
  sender: string;
  recipient_domains: string;
  recipient_count: number;
}

/** A person who may sign in to the review app. */
export interface UserTable {
  /** Lower-cased; the login. */
  email: string;
  role: string;
  /** `scrypt$N$r$p$salt$key` (src/smtp/password-hash.ts). */
  password_hash: string;
  created_at: string;
  disabled_at: string | null;
  /** 1: the account sees every school of the trust; 0: only its `user_schools` rows, and with none, nothing. */
  all_schools: number;
  /** The TOTP secret, sealed with the store's key (body-cipher.ts); set at the start of enrolment. */
  mfa_secret: Buffer | null;
  /** When enrolment finished (a first code accepted); null while none is enrolled. */
  mfa_enrolled_at: string | null;
  /** The RFC 6238 time step of the last code accepted: a code of that step or earlier is refused (no replay). */
  mfa_last_step: number | null;
  /** The Entra ID tenant and object id bound at the account's first Microsoft sign-in. */
  entra_tid: string | null;
  entra_oid: string | null;
  /** 1: a guest of the tenant may sign in as this account with Microsoft; 0: guests are refused. */
  entra_guest: number;
}

/** One MFA recovery code: only its SHA-256 is kept; `used_at` set when spent (each works once). */
export interface RecoveryCodeTable {
  email: string;
  code_hash: string;
  used_at: string | null;
}

/** The schools a review-app account is limited to; with none and no `users.all_schools`, it sees nothing. */
export interface UserSchoolTable {
  email: string;
  school_id: string;
}

/** A signed-in browser. Only the SHA-256 of the session id is kept, so a copy of the table signs nobody in. */
export interface SessionTable {
  id_hash: string;
  email: string;
  created_at: string;
  /** The absolute end (created + 12 h); the idle end is `last_seen_at` + 30 min. */
  expires_at: string;
  last_seen_at: string;
  /** `complete`; or, after a right password, `second-factor` (a code is due) or `enrol` (MFA must be set up first). */
  stage: string;
}

/** One alert a verdict raised for one role (src/store/alert-inbox.ts): metadata only, never content. */
export interface AlertInboxTable {
  /** The alert email's job id, `alert.<message key>.<role>`. */
  id: string;
  message_id: string;
  school_id: string;
  role: string;
  /** `immediate` or `digest`. */
  level: string;
  /** 1 when an alert email was queued for it. */
  emailed: number;
  action: string;
  /** JSON array of the rules as they read then: id, description, clause, level, categories with counts. */
  rules: string;
  sender: string;
  /** JSON array. */
  recipient_domains: string;
  recipient_count: number;
  at: string;
  /** For an override's alert: the category of the sender's reason (migration 0010). */
  justification_category: string | null;
  /** `open` or `acknowledged`. */
  status: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  note: string | null;
}

/** A returned message, kept while its sender's link may still send it; metadata in clear, as the quarantine's. */
export interface ReturnedMessageTable {
  id: string;
  school_id: string;
  received_at: string;
  mail_from: string;
  /** JSON array of the envelope recipients. */
  rcpt: string;
  /** JSON array of every rule that fired, deciding ones first. */
  rule_ids: string;
  /** 1 when every rule that returned it allows `override: justification`. */
  overridable: number;
  /** 1 when a rule that fired asks for encryption: an overridden message goes encrypted. */
  encrypt: number;
  /** `returned`, `sending` (an override being delivered now) or `sent`. */
  status: string;
  /** When the notice's link stops working; retention destroys the body then. */
  expires_at: string;
  size_bytes: number;
  overridden_at: string | null;
  /** The sender's reason, as given. */
  justification: string | null;
  body_destroyed_at: string | null;
}

/** Sealed: the message as received, and the notice's content (what was found, the rewrite) as JSON. */
export interface ReturnedBodyTable {
  id: string;
  raw: Buffer;
  notice: Buffer;
}

/** The rules that returned a message (the deciding ones), for counts of overrides per rule. */
export interface ReturnedRuleTable {
  message_id: string;
  rule_id: string;
}

/** A rule the DPO no longer lets this sender override. */
export interface OverrideRevocationTable {
  school_id: string;
  sender: string;
  rule_id: string;
  revoked_at: string;
  revoked_by: string;
  reason: string;
}

/** A held message's sender asked for its release: a flag on the DPO's list, never a release by itself. */
export interface SenderReleaseRequestTable {
  message_id: string;
  school_id: string;
  requested_at: string;
  reason: string;
}

/**
 * One line of the activity explorer (src/store/activity-log.ts): a verdict that found something or did more than
 * deliver, an override or a completed release. Metadata only, as the audit entry it stands for.
 */
export interface ActivityTable {
  /** The audit entry's seq. */
  seq: number;
  /** The message's verdict entry, whose `audit_rules` and `audit_categories` the rule and category filters read. */
  verdict_seq: number | null;
  at: string;
  school_id: string;
  message_id: string;
  /** deliver, encrypt, return, quarantine, override or release. */
  action: string;
  /** The envelope sender, lower-cased. */
  sender: string;
  /** Who overrode (the sender) or released (the reviewer); null for a verdict. */
  actor: string | null;
  /** JSON array. */
  recipient_domains: string;
  recipient_count: number;
  /** JSON array, for showing. */
  rule_ids: string;
  /** JSON object of findings per category, for showing. */
  categories: string;
}

/** A finding a reviewer marked as a false positive; once per verdict, category and term. */
export interface FalsePositiveTable {
  /** `<verdict seq>:<category>:<term>`. */
  id: string;
  verdict_seq: number;
  school_id: string;
  message_id: string;
  /** When the message came: the tuning report's period is the messages'. */
  message_at: string;
  category: string;
  /** The vocabulary term that matched (language, sensitive, chain letters only), or ''. */
  term: string;
  reason: string;
  marked_by: string;
  marked_at: string;
}

/** The rules a false positive counts against. */
export interface FalsePositiveRuleTable {
  id: string;
  rule_id: string;
}
