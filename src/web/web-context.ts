import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MailQueue } from '../queue/mail-queue.js';
import type { ActivityFilter } from '../store/activity-log.js';
import type { AuditRange } from '../store/audit-log.js';
import type { IncidentFilter } from '../store/incident-register.js';
import type { QuarantineFilter, SchoolFilter } from '../store/quarantine-store.js';
import type { DateRange } from '../store/returned-store.js';
import type { Store } from '../store/store.js';
import type { SessionUser, User } from '../store/user-directory.js';
import { can, type Permission } from './roles.js';
import { csrfToken, csrfTokenMatches, type SessionCookies } from './session-cookies.js';
import { WebError } from './web-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person, set by the session hook on every route but sign-in and status. */
    user?: SignedInUser;
    /** An account part-way through sign-in (its password accepted, its second factor not yet): only the sign-in steps serve it. */
    pendingSignIn?: SessionUser;
    /** The session cookie's value, kept only to bind and check form tokens. */
    sessionToken?: string;
  }
}

/** The signed-in person as pages see them: their account and, for roles with an alerts inbox, how many alerts wait. */
export interface SignedInUser extends User {
  readonly openAlerts?: number;
}

/** What every route of the app shares. */
export interface WebContext {
  readonly store: Pick<Store, 'quarantine' | 'audit' | 'incidents' | 'users' | 'alertInbox' | 'returned' | 'senderLinks' | 'activity' | 'falsePositives'>;
  readonly mail: MailQueue;
  readonly cookies: SessionCookies;
  readonly now: () => Date;
}

/** The signed-in user, or `forbidden` when their role lacks `permission`. */
export function requireUser(request: FastifyRequest, permission: Permission): User {
  const { user } = request;
  if (!user) throw new WebError('signed-out', 'Sign in to continue.');
  if (!can(user.role, permission)) throw new WebError('forbidden', 'Your role does not allow this.');
  return user;
}

/**
 * The one place a user's school scope becomes a query filter: a trust-wide user keeps `filter` as it is; a
 * school's user gets its `schoolIds` narrowed to their schools (all of them when the filter named none).
 */
export function withinScope<Filter extends SchoolFilter>(user: User, filter: Filter): Filter {
  if (user.schools === 'all') return filter;
  const allowed = user.schools;
  return { ...filter, schoolIds: filter.schoolIds ? filter.schoolIds.filter((id) => allowed.includes(id)) : allowed };
}

export function inScope(user: User, schoolId: string): boolean {
  return user.schools === 'all' || user.schools.includes(schoolId);
}

/**
 * The records a signed-in user may read. Routes read through this rather than `context.store`, so every
 * query carries the user's schools and none can forget them; a message of another school is not found.
 */
export function recordsFor(context: WebContext, user: User) {
  const { quarantine, incidents, audit, returned, activity, falsePositives } = context.store;
  return {
    listQuarantine: (filter: QuarantineFilter) => quarantine.list(withinScope(user, filter)),
    countQuarantine: (filter: QuarantineFilter) => quarantine.count(withinScope(user, filter)),
    findMessage: (id: string) => quarantine.find(id, withinScope(user, {})),
    openMessage: (id: string) => quarantine.open(id, withinScope(user, {})),
    incidents: (filter: IncidentFilter) => incidents.list(withinScope(user, filter)),
    countsByDay: (range: AuditRange) => audit.countsByDay(withinScope(user, range)),
    countsByHour: (range: AuditRange) => audit.countsByHour(withinScope(user, range)),
    countsBySchool: (range: AuditRange) => audit.countsBySchool(withinScope(user, range)),
    topSenders: (range: AuditRange, limit: number) => audit.topSenders(withinScope(user, range), limit),
    topRules: (range: AuditRange, limit: number) => audit.topRules(withinScope(user, range), limit),
    overridesPerRule: (range: DateRange) => returned.overridesPerRule(withinScope(user, range)),
    listOverrides: (range: DateRange) => returned.listOverrides(withinScope(user, range)),
    listRevocations: () => returned.listRevocations(withinScope(user, {})),
    listReleaseRequests: () => returned.listReleaseRequests(withinScope(user, {})),
    listActivity: (filter: ActivityFilter) => activity.list(withinScope(user, filter)),
    countActivity: (filter: ActivityFilter) => activity.count(withinScope(user, filter)),
    activityLine: (seq: number) => activity.get(seq, withinScope(user, {})),
    verdictLine: (messageId: string) => activity.verdictOf(messageId, withinScope(user, {})),
    firedPerRule: (range: ActivityFilter & { since: Date; until: Date }) => activity.firedPerRule(withinScope(user, range)),
    tuning: (range: SchoolFilter & { since: Date; until: Date }) => falsePositives.tuning(withinScope(user, range)),
  };
}

/** Refuses a form whose token is not the one bound to this session. */
export function requireCsrf(request: FastifyRequest): void {
  const body = request.body as Record<string, unknown> | undefined;
  if (!csrfTokenMatches(request.sessionToken, 'session', body?._csrf)) throw new WebError('csrf', 'This form has expired. Go back, reload the page and try again.');
}

export function formToken(request: FastifyRequest): string {
  return request.sessionToken ? csrfToken(request.sessionToken, 'session') : '';
}

/** Pages are personal: never cached, by the browser or anything between. */
export function sendPage(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}

/** The ids ticked in a bulk form (`id`, repeated): at least one and at most `most`, else a `bad-request` naming `what`. */
export function tickedIds(body: unknown, most: number, what: string): string[] {
  const raw = (body as Record<string, unknown> | undefined)?.id;
  const ids = (Array.isArray(raw) ? raw : [raw]).filter((id): id is string => typeof id === 'string' && id !== '');
  if (ids.length === 0 || ids.length > most) throw new WebError('bad-request', `Select between 1 and ${most} ${what}.`);
  return ids;
}

/** One field of a parsed form as trimmed text, or '' when absent or repeated. */
export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}
