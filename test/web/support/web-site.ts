import type { FastifyInstance } from 'fastify';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { bullMailQueue, type MailQueue } from '../../../src/queue/mail-queue.js';
import { safeKey } from '../../../src/queue/outgoing-mail.js';
import { QUEUE_NAMES } from '../../../src/queue/queue-names.js';
import { PasswordHashing } from '../../../src/smtp/password-hash.js';
import type { Store } from '../../../src/store/store.js';
import { MFA_ROLES, type UserRole } from '../../../src/store/user-directory.js';
import { createWebApp, type WebAppOptions } from '../../../src/web/web-app.js';
import { jobData, removePrefix, SHARED_REDIS, uniquePrefix } from '../../queue/support/redis.js';
import { createSite, type StoreSite } from '../../store/support/store-engines.js';
import { TestAuthenticators } from './authenticators.js';
import { InjectedBrowser } from './inject-session.js';

/**
 * Hashing for tests of page flows: real scrypt at a cost 32 times lower than the gateway's (which nothing in
 * the configuration can lower), so a sign-in takes milliseconds; at the gateway's cost the web tests spent
 * most of their time hashing. test/smtp/password-hash.test.ts and the upgrade at sign-in (test/web/mfa.test.ts)
 * use the gateway's cost, as do the tests through `serve`.
 */
export const TEST_HASHING = new PasswordHashing({ N: 2 ** 12, r: 8, p: 1 });

/** Invented accounts, one per role; every one has this password. */
export const PASSWORD = 'invented password for tests';
export const ACCOUNTS: Record<UserRole, string> = {
  dpo: 'dpo@stmarys-example.sch.uk',
  admin: 'it.admin@stmarys-example.sch.uk',
  dsl: 'dsl@stmarys-example.sch.uk',
  'business-manager': 'bursar@stmarys-example.sch.uk',
};

/** One test's app: its own store, its own Redis prefix, one account per role; those whose role needs MFA are enrolled. */
export interface WebSite {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly mail: MailQueue;
  readonly prefix: string;
  readonly site: StoreSite;
  /** Every URL the app answered, in order: what really reached the server. */
  readonly served: string[];
  /** The authenticator apps of the accounts: codes for the second step of sign-in. */
  readonly authenticators: TestAuthenticators;
  /** The last audit entry the set-up wrote (the accounts' enrolments): a test's own entries come after it. */
  readonly setupAuditSeq: number;
  /**
   * The release queued for a message, if a job was: the job's (opened) data with the store's record of the
   * request, which says how it is to go and who asked.
   */
  releaseJob(messageId: string): Promise<{ data: { messageId: string; encrypt: boolean | undefined; actor: string | undefined } } | undefined>;
  /** The kinds of the mails queued so far (notices, alerts). */
  mailKinds(): Promise<string[]>;
  /** A browser on the app's clock (the fixed one a test gave it, else the real one). */
  browser(): InjectedBrowser;
  dispose(): Promise<void>;
}

export async function createWebSite(engine: 'sqlite' | 'postgres' = 'sqlite', extra: Partial<WebAppOptions> = {}): Promise<WebSite> {
  const site = await createSite(engine);
  const store = await site.open();
  const passwordHashing = extra.passwordHashing ?? TEST_HASHING;
  const passwordHash = await passwordHashing.hash(PASSWORD);
  const authenticators = new TestAuthenticators(extra.now);
  for (const [role, email] of Object.entries(ACCOUNTS)) {
    await store.users.add({ email, role: role as UserRole, passwordHash });
    if (MFA_ROLES.includes(role as UserRole)) await authenticators.enrol(store, email);
  }
  const [last] = await site.exec('SELECT max(seq) AS seq FROM audit_log');
  const setupAuditSeq = Number(last?.seq ?? 0);
  const prefix = uniquePrefix();
  const mail = bullMailQueue(SHARED_REDIS, { prefix });
  const app = await createWebApp({ store, mail, ...extra, passwordHashing });
  const served: string[] = [];
  app.addHook('onRequest', async (request) => {
    served.push(request.url);
  });
  const redis = new Redis(SHARED_REDIS.url, { maxRetriesPerRequest: null });
  const releases = new Queue(QUEUE_NAMES.releases, { connection: redis, prefix });
  const mails = new Queue(QUEUE_NAMES.mail, { connection: redis, prefix });
  return {
    app,
    store,
    mail,
    prefix,
    site,
    served,
    authenticators,
    setupAuditSeq,
    async releaseJob(messageId) {
      const job = await releases.getJob(`release.${safeKey(messageId)}`);
      if (!job) return undefined;
      const request = (await store.quarantine.find(messageId))?.releaseRequest;
      return { data: { ...jobData<{ messageId: string }>(job)!, encrypt: request?.encrypt, actor: request?.by } };
    },
    async mailKinds() {
      return (await mails.getJobs(['waiting', 'prioritized', 'delayed'])).map((job) => job.name).sort();
    },
    browser() {
      return new InjectedBrowser(app, extra.now, authenticators);
    },
    async dispose() {
      await app.close();
      await releases.close();
      await mails.close();
      redis.disconnect();
      await mail.close();
      await site.dispose();
      await removePrefix(prefix);
    },
  };
}
