import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { simpleParser } from 'mailparser';
import { DeliveryError } from '../delivery/delivery-error.js';
import { DecisionRefused, deleteHeldMessage, rejectHeldMessage, requestRelease } from '../actions/quarantine-decisions.js';
import type { QuarantinedMessage, QuarantineSummary } from '../store/quarantine-store.js';
import type { User } from '../store/user-directory.js';
import { messagePage } from './message-page.js';
import { filterFields, PAGE_SIZE, SEARCH_WINDOW, storeFilter, type FilterFields } from './quarantine-filter.js';
import { quarantineListPage } from './quarantine-list-page.js';
import type { Permission } from './roles.js';
import { field, formToken, recordsFor, requireCsrf, requireUser, sendPage, tickedIds, type WebContext } from './web-context.js';
import { refusedWhenNotFound, WebError } from './web-error.js';

export const DECISIONS = ['release', 'release-encrypted', 'reject', 'delete'] as const;
export type DecisionKind = (typeof DECISIONS)[number];

const DONE: Record<DecisionKind, string> = {
  release: 'Release queued: it is delivered as soon as the next hop takes it.',
  'release-encrypted': 'Encrypted release queued: it is delivered as soon as the next hop takes it.',
  reject: 'Returned to sender: it will not be sent, and the sender is told.',
  delete: 'Deleted: the message is destroyed, it will not be sent, and the sender is not told.',
};
/** Deleting destroys the only copy, so it takes its own permission (roles.ts); the rest are decisions. */
const PERMISSION: Record<DecisionKind, Permission> = { release: 'decide', 'release-encrypted': 'decide', reject: 'decide', delete: 'delete' };
const MAX_REASON = 500;
const MAX_BULK = 200;

/** The quarantine list, the message page, attachment download, and the decisions. */
export async function quarantineRoutes(app: FastifyInstance, context: WebContext): Promise<void> {
  const decideOne = decider(context);

  app.get('/quarantine', async (request, reply) => {
    const user = requireUser(request, 'list');
    return renderList(request, reply, user, filterFields(request.query), doneNotice(request.query));
  });

  app.post('/quarantine/search', async (request, reply) => {
    const user = requireUser(request, 'list');
    requireCsrf(request);
    return renderList(request, reply, user, filterFields(request.body));
  });

  app.post('/quarantine/bulk', async (request, reply) => {
    // Any bulk decision needs `decide`; the chosen action may need more (a deletion, `delete`).
    requireUser(request, 'decide');
    requireCsrf(request);
    const kind = decisionKind(field(request.body, 'action'));
    const user = requireUser(request, PERMISSION[kind]);
    const reason = reasonOf(request.body);
    const ids = tickedIds(request.body, MAX_BULK, 'messages');
    let done = 0;
    let skipped = 0;
    for (const id of new Set(ids)) {
      try {
        await decideOne(user, id, kind, reason);
        done += 1;
      } catch (error) {
        if (!(error instanceof WebError) || (error.code !== 'conflict' && error.code !== 'not-found')) throw error;
        skipped += 1;
      }
    }
    const notice = `${DONE[kind]} (${done} message${done === 1 ? '' : 's'}${skipped ? `; ${skipped} no longer held, left as they were` : ''})`;
    return renderList(request, reply, user, filterFields({}), notice);
  });

  app.get<{ Params: { id: string } }>('/quarantine/:id', async (request, reply) => {
    const user = requireUser(request, 'read');
    const message = await openHeld(context, user, request.params.id);
    await context.store.audit.append({ kind: 'human', schoolId: message.schoolId, actor: user.email, action: 'view', messageId: message.id, at: context.now() });
    const parsed = await simpleParser(message.raw, { skipImageLinks: true, skipTextLinks: true });
    const notice = doneNotice(request.query);
    const senderRequest = await context.store.returned.releaseRequestFor(message.id);
    const verdict = await recordsFor(context, user).verdictLine(message.id);
    const falsePositives = verdict ? ((await context.store.falsePositives.among([verdict.seq])).get(verdict.seq) ?? []) : [];
    return sendPage(reply, messagePage({ user, csrf: formToken(request), message, parsed, senderRequest, falsePositives, ...(notice ? { notice } : {}) }));
  });

  app.get<{ Params: { id: string; index: string } }>('/quarantine/:id/attachments/:index', async (request, reply) => {
    const user = requireUser(request, 'download');
    const message = await openHeld(context, user, request.params.id);
    const attachment = (await simpleParser(message.raw)).attachments[Number(request.params.index)];
    if (!attachment || !/^\d+$/.test(request.params.index)) throw new WebError('not-found', 'No such attachment.');
    await context.store.audit.append({
      kind: 'human',
      schoolId: message.schoolId,
      actor: user.email,
      action: 'export',
      messageId: message.id,
      reason: 'attachment downloaded',
      at: context.now(),
    });
    // Never rendered by the browser: a download of opaque bytes, named without the sender's file name.
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="attachment-${Number(request.params.index) + 1}"`)
      .type('application/octet-stream')
      .send(attachment.content);
  });

  for (const kind of DECISIONS) {
    app.post<{ Params: { id: string } }>(`/quarantine/:id/${kind}`, async (request, reply) => {
      const user = requireUser(request, PERMISSION[kind]);
      requireCsrf(request);
      await decideOne(user, request.params.id, kind, reasonOf(request.body));
      // A deleted message has no page left to show: back to the list.
      return reply.code(303).redirect(kind === 'delete' ? '/quarantine?done=delete' : `/quarantine/${encodeURIComponent(request.params.id)}?done=${kind}`);
    });
  }

  async function renderList(request: FastifyRequest, reply: FastifyReply, user: User, fields: FilterFields, notice?: string) {
    const filter = storeFilter(fields);
    const records = recordsFor(context, user);
    let rows: QuarantineSummary[];
    let total: number;
    if (fields.search) {
      const window = await records.listQuarantine({ ...filter, limit: SEARCH_WINDOW });
      const matching = window.filter((row) => row.from.includes(fields.search) || row.rcpt.some((address) => address.toLowerCase().includes(fields.search)));
      rows = matching.slice(0, PAGE_SIZE);
      total = matching.length;
    } else {
      [rows, total] = await Promise.all([records.listQuarantine({ ...filter, limit: PAGE_SIZE, offset: (fields.page - 1) * PAGE_SIZE }), records.countQuarantine(filter)]);
    }
    const senderRequests = await context.store.returned.requestedAmong(rows.map((row) => row.id));
    return sendPage(reply, quarantineListPage({ user, csrf: formToken(request), fields, rows, total, pageSize: PAGE_SIZE, senderRequests, ...(notice ? { notice } : {}) }));
  }
}

/**
 * One decision on one message of the user's schools (another school's is not found). A release is recorded
 * with its reason and audited, then carried out by a job (`requestRelease`), whose own audit entry says how it
 * went. A rejection and a deletion are decided at once and audited with their reason.
 */
function decider(context: WebContext) {
  return async (user: User, id: string, kind: DecisionKind, reason: string): Promise<void> => {
    const message = await recordsFor(context, user).findMessage(id);
    if (!message) throw new WebError('not-found', 'No such message.');
    if (message.status !== 'held') throw new WebError('conflict', `This message is already ${message.status}.`);
    try {
      if (kind === 'reject' || kind === 'delete') {
        await (kind === 'reject' ? rejectHeldMessage : deleteHeldMessage)(context, id, { actor: user.email, reason });
        return;
      }
      await requestRelease(context, id, { actor: user.email, encrypt: kind === 'release-encrypted', reason, at: context.now() });
    } catch (error) {
      if (error instanceof DecisionRefused) throw new WebError('conflict', 'Someone else decided this message first.', { cause: error });
      if (error instanceof DeliveryError) throw new WebError('unavailable', 'The queue did not answer, so the release is not queued yet. Try again in a minute.', { cause: error });
      throw error;
    }
  };
}

/** A held message the user may see, or 404. */
export function openHeld(context: WebContext, user: User, id: string): Promise<QuarantinedMessage> {
  return recordsFor(context, user)
    .openMessage(id)
    .catch(refusedWhenNotFound((cause) => new WebError('not-found', 'No such message, or it has been destroyed.', { cause })));
}

/** The confirmation for `?done=KIND` after a decision's redirect; nothing for anything else. */
function doneNotice(query: unknown): string | undefined {
  const done = (query as Record<string, unknown> | undefined)?.done;
  if (done === 'false-positive') return 'Marked as a false positive: it counts in the tuning report.';
  return typeof done === 'string' && (DECISIONS as readonly string[]).includes(done) ? DONE[done as DecisionKind] : undefined;
}

function decisionKind(value: string): DecisionKind {
  if (!(DECISIONS as readonly string[]).includes(value)) throw new WebError('bad-request', 'Choose an action.');
  return value as DecisionKind;
}

function reasonOf(body: unknown): string {
  const reason = field(body, 'reason');
  if (reason === '' || reason.length > MAX_REASON) throw new WebError('bad-request', `Give a reason (up to ${MAX_REASON} characters): it goes in the audit log.`);
  return reason;
}
