import type { RenderedNotice } from '../policy/notice-templates.js';
import type { QueueConnection } from './job-seal.js';
import { bullMailQueue, type MailQueueOptions } from './mail-queue.js';
import type { SendMail } from './mail-sender.js';
import { senderNoticeMail } from './notices.js';
import { mailJobId } from './outgoing-mail.js';
import { startMailWorker, type QueueWorkerOptions, type RunningWorkers } from './queue-workers.js';

export { mailSender as noticeSender, type MailSenderOptions as NoticeSenderOptions } from './mail-sender.js';

/** One sender notice to send: the rewrite suggestions for a message the gateway did not deliver as sent. */
export interface SenderNoticeJob {
  /** The spool id of the message the notice is about; it makes the job id, so a notice is queued once. */
  readonly messageId: string;
  readonly notice: RenderedNotice;
}

/** The sender-notice view of the outgoing-mail queue, as `actOnVerdict` uses it. */
export interface NoticeQueue {
  /** Resolves once the job is stored in Redis; rejects with ActionError `notice-queue-unavailable` otherwise. */
  enqueue(job: SenderNoticeJob): Promise<void>;
  close(): Promise<void>;
}

export type NoticeQueueOptions = MailQueueOptions;

export function bullNoticeQueue(connection: QueueConnection, options: NoticeQueueOptions = {}): NoticeQueue {
  const queue = bullMailQueue(connection, options);
  return {
    enqueue: (job) => queue.enqueue(senderNoticeMail(job.messageId, job.notice)),
    close: () => queue.close(),
  };
}

/** Runs the outgoing-mail worker: every kind of mail, sent with `send` (`noticeSender` / `mailSender`). */
export function startNoticeWorker(connection: QueueConnection, send: SendMail, options: QueueWorkerOptions = {}): RunningWorkers {
  return startMailWorker(connection, send, options);
}

export function noticeJobId(messageId: string): string {
  return mailJobId('sender-notice', messageId);
}
