import type { EncryptedDelivery } from '../crypto/encrypt-message.js';
import type { Envelope } from '../message/envelope.js';
import type { MailQueue } from '../queue/mail-queue.js';
import type { RecipientsByRole } from '../queue/outgoing-mail.js';
import type { AlertInbox } from '../store/alert-inbox.js';
import type { AuditEntry } from '../store/audit-entry.js';
import type { QuarantineStore } from '../store/quarantine-store.js';
import type { ReturnedStore } from '../store/returned-store.js';
import type { SenderLinks } from '../store/sender-links.js';
import type { NextHop } from '../delivery/next-hop.js';

/** What acting on verdicts needs from the world: the next hop, the queues and the store. */
export interface ActionDependencies {
  readonly nextHop: NextHop;
  readonly mail: MailQueue;
  readonly quarantine: Pick<QuarantineStore, 'hold'>;
  readonly audit: VerdictAudit;
  readonly alerts: AlertSettings;
  /** Where every alert a verdict raises is recorded for the review app, before the reply (emailed or not). */
  readonly alertInbox: Pick<AlertInbox, 'record'>;
  /**
   * The forms each recipient can open (src/crypto/): PGP/MIME to known keys, a password envelope (PDF or web
   * page, as the school's configuration says) for the rest. Throws `EncryptedTooLarge` past the next hop's size.
   */
  encrypt(raw: Buffer | string, envelope: Envelope, schoolId?: string): Promise<EncryptedDelivery>;
  /** Where messages the gateway makes itself wait while they are handed on. */
  readonly spoolDirectory: string;
  /**
   * Sender self-service: a returned message is kept sealed and its notice links to the sender's page; a held one's
   * notice links to "ask for release" where its rules allow. Without it, notices carry no link.
   */
  readonly selfService?: SelfServiceSettings;
}

export interface SelfServiceSettings {
  readonly returned: Pick<ReturnedStore, 'keep'>;
  readonly links: Pick<SenderLinks, 'sign'>;
  /** How long a link works (`retention.senderLinkHours`). */
  readonly linkHours: number;
  /** The review app as senders reach it (`reviewUrl`), for the links. */
  readonly baseUrl: string;
}

export interface AlertSettings {
  /** The review app as staff reach it, for the links in alerts. */
  readonly reviewBaseUrl: string;
  /** A school's alert recipients by role (its `alerts:`); no addresses means no alert for that role. */
  recipientsFor(schoolId: string): RecipientsByRole;
}

/** The audit log as the actions write it. */
export interface VerdictAudit {
  /** Durably, before the reply depends on it (a returned message). */
  record(entry: AuditEntry): Promise<unknown>;
  /**
   * With the next commit of a batch (store/audit-writer.ts), for a message the next hop already took: the reply
   * waits for it, so a 250 is never followed by the loss of its record, but a failure must not change the reply
   * (a 451 would have it sent twice): the writer keeps and retries the entry, resolving `false` after its bound.
   */
  recordLater(entry: AuditEntry): Promise<unknown>;
}
