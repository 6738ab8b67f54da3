import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ALERT_ROLES, type AlertRole } from '../store/user-directory.js';
import { ALERT_STATUSES, type AlertInboxFilter, type AlertStatus } from '../store/alert-inbox.js';
import type { User, UserRole } from '../store/user-directory.js';
import { alertsPage, type AlertFields } from './alerts-page.js';
import { can } from './roles.js';
import { field, formToken, inScope, requireCsrf, requireUser, sendPage, tickedIds, withinScope, type SignedInUser, type WebContext } from './web-context.js';
import { WebError } from './web-error.js';

const PAGE_SIZE = 50;
const MAX_NOTE = 500;
const MAX_BULK = 200;

/**
 * The alert roles whose inbox a user reads: the Business Manager and the DSL their own; the DPO and the admin
 * every role's, since the DPO answers for all of them and the admin keeps the service running.
 */
function inboxRoles(role: UserRole): readonly AlertRole[] {
  return role === 'business-manager' || role === 'dsl' ? [role] : ALERT_ROLES;
}

/** The alerts a user may see and acknowledge: their roles, within their schools. */
function inboxScope(user: User): Pick<AlertInboxFilter, 'roles' | 'schoolIds'> {
  return withinScope<AlertInboxFilter>(user, { roles: inboxRoles(user.role) });
}

/** The user with the count of their open alerts, for the bar of every page; roles without an inbox are left as they are. */
export async function withOpenAlerts(context: WebContext, user: User): Promise<SignedInUser> {
  if (!can(user.role, 'alerts')) return user;
  return { ...user, openAlerts: await context.store.alertInbox.count({ ...inboxScope(user), status: 'open' }) };
}

/** `GET /alerts`, `POST /alerts/:id/acknowledge` and `POST /alerts/acknowledge` (the ticked ones). */
export async function alertsRoutes(app: FastifyInstance, context: WebContext): Promise<void> {
  const inbox = context.store.alertInbox;

  app.get('/alerts', async (request, reply) => {
    const user = requireUser(request, 'alerts');
    const fields = alertFields(request.query, user);
    const roles = fields.role ? [fields.role as AlertRole] : inboxRoles(user.role);
    const filter = withinScope<AlertInboxFilter>(user, { roles, ...(fields.status ? { status: fields.status as AlertStatus } : {}) });
    const [rows, total] = await Promise.all([inbox.list({ ...filter, limit: PAGE_SIZE, offset: (fields.page - 1) * PAGE_SIZE }), inbox.count(filter)]);
    const notice = doneNotice(request);
    return sendPage(reply, alertsPage({ user, csrf: formToken(request), fields, roles: inboxRoles(user.role), rows, total, pageSize: PAGE_SIZE, ...(notice ? { notice } : {}) }));
  });

  app.post<{ Params: { id: string } }>('/alerts/:id/acknowledge', async (request, reply) => {
    const user = requireUser(request, 'alerts');
    requireCsrf(request);
    const { id } = request.params;
    const result = await inbox.acknowledge([id], { actor: user.email, note: noteOf(request.body), at: context.now(), scope: inboxScope(user) });
    if (result.acknowledged.length === 0) {
      const alert = await inbox.get(id);
      if (!alert || !inboxRoles(user.role).includes(alert.role) || !inScope(user, alert.schoolId)) throw new WebError('not-found', 'There is no such alert.');
      throw new WebError('conflict', 'This alert was already acknowledged.');
    }
    return reply.code(303).redirect('/alerts?acknowledged=1');
  });

  app.post('/alerts/acknowledge', async (request, reply) => {
    const user = requireUser(request, 'alerts');
    requireCsrf(request);
    const ids = tickedIds(request.body, MAX_BULK, 'alerts');
    const result = await inbox.acknowledge(ids, { actor: user.email, note: noteOf(request.body), at: context.now(), scope: inboxScope(user) });
    return reply.code(303).redirect(`/alerts?acknowledged=${result.acknowledged.length}${result.skipped ? `&skipped=${result.skipped}` : ''}`);
  });
}

/** Reads the filters from the query; a role filter only for those who see every role. */
function alertFields(query: unknown, user: User): AlertFields {
  const status = field(query, 'status');
  const role = field(query, 'role');
  const page = Number(field(query, 'page') || '1');
  if (status && !(ALERT_STATUSES as readonly string[]).includes(status)) throw new WebError('bad-request', 'Unknown status.');
  if (role && !inboxRoles(user.role).includes(role as AlertRole)) throw new WebError('bad-request', 'Unknown role.');
  return { status, role: inboxRoles(user.role).length > 1 ? role : '', page: Number.isSafeInteger(page) && page > 0 ? page : 1 };
}

/** The confirmation after acknowledging (post, then redirect): counts only. */
function doneNotice(request: FastifyRequest): string | undefined {
  const count = (name: string) => Number(field(request.query, name) || '0');
  const done = count('acknowledged');
  const skipped = count('skipped');
  if (![done, skipped].every((value) => Number.isSafeInteger(value) && value >= 0) || done + skipped === 0) return undefined;
  return `Acknowledged ${done} alert${done === 1 ? '' : 's'}${skipped > 0 ? `; ${skipped} already acknowledged or not yours, left as they were` : ''}. It is recorded in the audit log.`;
}

function noteOf(body: unknown): string {
  const note = field(body, 'note');
  if (note.length > MAX_NOTE) throw new WebError('bad-request', `A note is at most ${MAX_NOTE} characters.`);
  return note;
}
