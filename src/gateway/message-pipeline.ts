import { createReadStream } from 'node:fs';
import { dispositionOf, errorCode, smtpReplyFor } from '../errors/hallmonitor-error.js';
import type { Logger } from 'pino';
import { actOnVerdict, type ActionDependencies } from '../actions/act-on-verdict.js';
import { ActionStepFailed } from '../actions/errors.js';
import { domainOf } from '../message/addresses.js';
import { verdictForAutomaticMessage } from '../policy/automatic-message.js';
import type { Action } from '../policy/verdict.js';
import { scanMessage, type ScanResult } from '../scan/scan-message.js';
import type { ScanPool } from '../scan/scan-pool.js';
import { resolveSchool, type Tenants } from '../scan/tenants.js';
import { SmtpRefusal } from '../smtp/smtp-replies.js';
import { contentOf, type MessageHandler, type SmtpReply, type SpooledMessage } from '../smtp/spooled-message.js';
import { countCategories } from '../store/audit-entry.js';
import { MAX_PASSES, readTraceFacts, traceHeaderLine, type TraceFacts } from './loop-guard.js';
import { messageKey } from './message-key.js';
import { originOf, tenantRefusal, type TenantRefusal } from './message-origin.js';
import type { GatewayMetrics } from './metrics.js';

export interface PipelineDependencies {
  readonly tenants: Tenants;
  readonly actions: ActionDependencies;
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
  /** Signs and verifies this deployment's trace headers (loop-guard.ts). */
  readonly traceSecret: Buffer;
  /** Schools' names for alerts, by id. */
  readonly schoolNames?: ReadonlyMap<string, string>;
  /** Worker threads to scan on, off the event loop; without it messages are scanned in this thread. */
  readonly scanPool?: ScanPool | undefined;
}

/** RFC 5321 §6.3: a message seen too often is in a routing loop; refuse it rather than pass it round again. */
const LOOP: SmtpReply = { code: 554, message: '5.4.6 Routing loop detected: this message has passed this gateway too many times' };

/** Any fault answers 451 so that the sending service keeps the message and retries: nothing is lost. */
const TEMPFAIL: SmtpReply = { code: 451, message: '4.3.0 Temporary failure checking the message, please try again later' };

/**
 * The DATA handler: read, scan, decide, act, and answer with the action's reply. One JSON log
 * line per message with ids, verdict and categories, never content (docs/architecture.md, "hallmonitor serve").
 */
export function createMessagePipeline(deps: PipelineDependencies): MessageHandler {
  return async function handleMessage(message) {
    const started = performance.now();
    const receivedAt = new Date();
    let trace: TraceFacts;
    try {
      trace = await readTraceFacts(contentOf(message), message.envelope, deps.traceSecret, new Date());
    } catch (error) {
      return fault(deps, message, 'read', error);
    }
    const origin = originOf(message.envelope.mailFrom, trace.header);
    const loaded = resolveSchool(deps.tenants, origin.schoolAddress);
    // A login is bound to its senders by the inbound server; a tenant binding is for Exchange Online's shared ranges.
    const refusal = message.client.user === undefined ? tenantRefusal(origin, loaded.school.microsoft365TenantIds ?? []) : undefined;
    if (refusal !== undefined) return refuseTenant(deps, message, loaded.school.id, refusal);
    const traceHeader = traceHeaderLine(deps.traceSecret, message.envelope, trace.messageHash, new Date());
    const key = messageKey(deps.traceSecret, message.envelope, trace.messageHash);
    const passed = { school: loaded.school.id, key, receivedAt, trace };
    if (trace.passes >= MAX_PASSES) return answerWithoutScan(deps, message, 'loop', LOOP, passed);
    if (trace.passes > 0) return answerWithoutScan(deps, message, 'already-scanned', (await deps.actions.nextHop.deliver(message, traceHeader)).reply, passed);
    let result: ScanResult;
    try {
      const scanned = deps.scanPool
        ? await deps.scanPool.scan(contentOf(message), message.envelope, origin.schoolAddress)
        : await scanMessage(message.bytes !== undefined ? message.bytes : createReadStream(message.path), loaded.school, loaded.detectors, message.envelope);
      result = origin.automatic ? { ...scanned, verdict: verdictForAutomaticMessage(scanned.verdict) } : scanned;
    } catch (error) {
      return fault(deps, message, 'scan', error);
    }
    const scanned = performance.now();
    deps.metrics.scanSeconds.observe((scanned - started) / 1000);
    let reply: SmtpReply;
    try {
      reply = await actOnVerdict(deps.actions, {
        message,
        result,
        school: { id: loaded.school.id, name: deps.schoolNames?.get(loaded.school.id), domains: loaded.school.domains },
        key,
        receivedAt,
        automatic: origin.automatic,
        traceHeader,
        scanMs: scanned - started,
        actingSince: scanned,
      });
    } catch (error) {
      return fault(deps, message, 'act', error, result.verdict.action);
    }
    const acted = performance.now();
    deps.metrics.actSeconds.observe({ action: result.verdict.action }, (acted - scanned) / 1000);
    deps.metrics.messages.inc({ action: result.verdict.action, code: String(reply.code) });
    deps.log.info(
      {
        ...messageIds(message),
        school: loaded.school.id,
        verdict: result.verdict.action,
        ...(origin.automatic ? { automatic: true } : {}),
        rules: result.verdict.rules.map((rule) => rule.id),
        categories: countCategories(result.findings),
        reply: reply.code,
        // Trace fields that did not verify (copied onto other recipients or another message, forged, expired): scanned all the same.
        ...(trace.traces > 0 ? { unverifiedTraces: trace.traces } : {}),
        scanMs: Math.round(scanned - started),
        actMs: Math.round(acted - scanned),
      },
      'message',
    );
    return reply;
  };
}

/**
 * Mail another Microsoft 365 tenant sent through Exchange Online's shared ranges (or mail that names no tenant)
 * is never relayed as the school's: 550, logged and counted like every refusal.
 */
function refuseTenant(deps: PipelineDependencies, message: SpooledMessage, school: string, code: TenantRefusal): SmtpReply {
  const refusal = new SmtpRefusal(code);
  deps.metrics.refusals.inc({ reason: code });
  deps.log.warn({ ...messageIds(message), school, stage: 'data', refusal: code, reply: refusal.responseCode }, 'refused');
  return { code: refusal.responseCode, message: refusal.message };
}

/** What the log and the audit say of a message answered on its traces alone. */
interface TracedPassage {
  readonly school: string;
  readonly key: string;
  readonly receivedAt: Date;
  readonly trace: TraceFacts;
}

/**
 * A message that came back with valid traces only: delivered as already decided, or refused as a loop; logged
 * and audited either way with the passes its traces vouch for. The reply waits for the audit entry's group commit
 * (bounded): the next hop may have taken the message already, and a failure must not turn that into a 451 (a duplicate).
 */
async function answerWithoutScan(
  deps: PipelineDependencies,
  message: SpooledMessage,
  passage: 'already-scanned' | 'loop',
  reply: SmtpReply,
  passed: TracedPassage,
): Promise<SmtpReply> {
  deps.metrics.messages.inc({ action: passage, code: String(reply.code) });
  deps.log.info({ ...messageIds(message), school: passed.school, passage, passes: passed.trace.passes, reply: reply.code }, 'message');
  await deps.actions.audit.recordLater({
    kind: 'system',
    schoolId: passed.school,
    actor: 'loop-guard',
    action: passage === 'loop' ? 'loop' : 'pass',
    messageId: passed.key,
    reason: `valid traces: ${passed.trace.passes}; reply ${reply.code}`,
    at: passed.receivedAt,
  });
  return reply;
}

/**
 * A message that could not be decided or acted on: 451, and a log line with what failed. A step the action's
 * reply waited on (ActionStepFailed) answers its own 451 and logs its cause's code; the verdict, once known,
 * is logged too.
 */
function fault(deps: PipelineDependencies, message: SpooledMessage, stage: 'read' | 'scan' | 'act', error: unknown, verdict?: Action): SmtpReply {
  const [reply, cause] = error instanceof ActionStepFailed ? [error.reply, error.cause] : [faultReply(error), error];
  deps.metrics.faults.inc({ stage });
  deps.metrics.messages.inc({ action: verdict ?? 'none', code: String(reply.code) });
  deps.log.error({ ...messageIds(message), stage, verdict, error: errorCode(cause), reply: reply.code }, 'message tempfailed');
  return reply;
}

/**
 * A fault's reply by its disposition, but never a refusal: a message the gateway could not decide on is
 * retried (4xx), whatever failed, rather than bounced on a fault of ours.
 */
function faultReply(error: unknown): SmtpReply {
  return dispositionOf(error) === 'configuration' ? smtpReplyFor(error) : TEMPFAIL;
}

/** What operators need to follow a message, without content or addresses' local parts. */
function messageIds(message: SpooledMessage) {
  return {
    id: message.id,
    client: message.client.address,
    tls: message.client.secure,
    senderDomain: message.envelope.mailFrom.includes('@') ? domainOf(message.envelope.mailFrom) : '',
    recipients: message.envelope.rcptTo.length,
    bytes: message.sizeBytes,
  };
}
