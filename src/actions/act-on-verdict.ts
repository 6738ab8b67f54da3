import { buildSenderNotice } from '../policy/sender-notice.js';
import { renderNotice } from '../policy/notice-templates.js';
import type { Verdict } from '../policy/verdict.js';
import type { NoticeQueue } from '../queue/notice-queue.js';
import type { ScanResult } from '../scan/scan-message.js';
import type { SmtpReply, SpooledMessage } from '../smtp/spooled-message.js';
import type { NextHop } from './next-hop.js';

export interface ActionDependencies {
  readonly nextHop: NextHop;
  readonly notices: NoticeQueue;
}

const NOTICE_NOT_QUEUED: SmtpReply = { code: 451, message: '4.3.0 could not queue the notice to the sender; try again later' };
const FALLBACK_REASON = 'refused by school email policy';
const MAX_REASON = 200;

/** The reply for a scanned message, given only once what the verdict asks for is done or durably queued. */
export async function actOnVerdict(
  deps: ActionDependencies,
  message: SpooledMessage,
  result: ScanResult,
  schoolDomains: readonly string[],
  traceHeader?: Buffer,
): Promise<SmtpReply> {
  switch (result.verdict.action) {
    case 'deliver':
      return (await deps.nextHop.deliver(message, traceHeader)).reply;
    case 'return':
      return returnToSender(deps.notices, message, result, schoolDomains);
    case 'encrypt':
    case 'quarantine':
      // Issue 4: until encryption and quarantine exist, hold the message with the client rather than deliver it unprotected.
      return { code: 451, message: `4.7.0 held: ${result.verdict.action === 'encrypt' ? 'encryption' : 'quarantine'} is not available yet` };
  }
}

/** The notice must be safely queued before the 550, or the sender would never learn how to fix the message. */
async function returnToSender(
  notices: NoticeQueue,
  message: SpooledMessage,
  { view, envelope, verdict }: ScanResult,
  schoolDomains: readonly string[],
): Promise<SmtpReply> {
  const notice = buildSenderNotice(view, envelope, verdict, schoolDomains);
  if (notice) {
    try {
      await notices.enqueue({ messageId: message.id, notice: renderNotice(notice) });
    } catch {
      return NOTICE_NOT_QUEUED;
    }
  }
  return { code: 550, message: `5.7.1 ${returnReason(verdict)}` };
}

/** The deciding rule's reason: written by the school as policy text, and cut to one printable line. */
export function returnReason(verdict: Verdict): string {
  const reason = verdict.rules.find((rule) => rule.action === 'return')?.reason ?? '';
  const line = reason.replace(/[^\x20-\x7e]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (line === '') return FALLBACK_REASON;
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON - 3)}...` : line;
}
