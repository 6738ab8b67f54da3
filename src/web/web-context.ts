import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MailQueue } from '../queue/mail-queue.js';
import type { Store } from '../store/store.js';
import type { User } from '../store/user-directory.js';
import { can, type Permission } from './roles.js';
import { csrfToken, csrfTokenMatches, type SessionCookies } from './session-cookies.js';
import { WebError } from './web-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person, set by the session hook on every route but sign-in and status. */
    user?: User;
    /** The session cookie's value, kept only to bind and check form tokens. */
    sessionToken?: string;
  }
}

/** What every route of the app shares. */
export interface WebContext {
  readonly store: Pick<Store, 'quarantine' | 'audit' | 'incidents' | 'users'>;
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

/** One field of a parsed form as trimmed text, or '' when absent or repeated. */
export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}
