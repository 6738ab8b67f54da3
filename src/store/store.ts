import type { ActivityLog } from './activity-log.js';
import type { AlertInbox } from './alert-inbox.js';
import type { AuditLog } from './audit-log.js';
import type { FalsePositives } from './false-positives.js';
import type { IncidentRegister } from './incident-register.js';
import type { Engine } from './migrations.js';
import type { QuarantineStore } from './quarantine-store.js';
import type { ReturnedStore } from './returned-store.js';
import type { SenderLinks } from './sender-links.js';
import type { UserDirectory } from './user-directory.js';

/** The gateway's records: one object per process, shared by the SMTP pipeline, the web app and the jobs. */
export interface Store {
  readonly engine: Engine;
  readonly quarantine: QuarantineStore;
  readonly audit: AuditLog;
  readonly incidents: IncidentRegister;
  /** The review app's accounts and sessions. */
  readonly users: UserDirectory;
  /** The alerts raised for the Business Manager, the DPO and the DSL, until someone acknowledges them. */
  readonly alertInbox: AlertInbox;
  /** Returned messages kept for their sender's override, the overrides, revocations and senders' release requests. */
  readonly returned: ReturnedStore;
  /** Every verdict that found something, every override and release: the activity explorer's lines. */
  readonly activity: ActivityLog;
  /** Findings reviewers marked as false positives, for the tuning report. */
  readonly falsePositives: FalsePositives;
  /** Signs and checks the links in senders' notices, with a key derived from the store key. */
  readonly senderLinks: SenderLinks;
  /** Resolves once the database answers a query; rejects when it cannot be used. */
  ping(): Promise<void>;
  /** Closes the database (the SQLite file or the PostgreSQL pool); waits for queries in flight. */
  close(): Promise<void>;
}
