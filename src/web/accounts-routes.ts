import type { FastifyInstance, FastifyRequest } from 'fastify';
import { USER_ROLES, type AccountChange, type User, type UserDirectory, type UserRole } from '../store/user-directory.js';
import { ACCOUNT_CHANGES, accountsPage, type AccountChangeKind } from './accounts-page.js';
import { field, formToken, requireCsrf, requireUser, sendPage, type WebContext } from './web-context.js';
import { WebError } from './web-error.js';

const MAX_REASON = 500;

/** What each button of the form does to the account it names; each writes its own audit entry. False: no such account. */
const APPLY: Readonly<Record<AccountChangeKind, (users: UserDirectory, email: string, change: AccountChange, body: unknown) => Promise<boolean>>> = {
  disable: (users, email, change) => users.disable(email, change),
  enable: (users, email, change) => users.enable(email, change),
  'set-role': (users, email, change, body) => users.setRole(email, roleOf(field(body, 'role')), change),
  'reset-mfa': (users, email, change) => users.resetMfa(email, change),
  remove: (users, email, change) => users.remove(email, change),
};

/**
 * `GET /accounts` and `POST /accounts`: the trust's IT admin keeps the accounts. Only an admin of the whole
 * trust: an account may span schools, so an admin of one school must not change another school's people.
 */
export async function accountsRoutes(app: FastifyInstance, context: WebContext): Promise<void> {
  const users = context.store.users;

  app.get('/accounts', async (request, reply) => {
    const user = trustAdmin(request);
    const done = ACCOUNT_CHANGES.find((kind) => kind === field(request.query, 'done'));
    return sendPage(reply, accountsPage({ user, csrf: formToken(request), accounts: await users.list(), ...(done ? { done } : {}) }));
  });

  /** The account is posted, never put in a URL; the reason is required, as for every decision in the app. */
  app.post('/accounts', async (request, reply) => {
    const user = trustAdmin(request);
    requireCsrf(request);
    const kind = ACCOUNT_CHANGES.find((each) => each === field(request.body, 'action'));
    if (!kind) throw new WebError('bad-request', 'Choose what to do with the account.');
    const email = field(request.body, 'email').toLowerCase();
    if (email === user.email) throw new WebError('forbidden', 'You cannot change your own account here: ask another admin, or use hallmonitor users on the server.');
    const reason = field(request.body, 'reason');
    if (reason === '') throw new WebError('bad-request', 'Give a reason: it is recorded in the audit log.');
    if (reason.length > MAX_REASON) throw new WebError('bad-request', `A reason is at most ${MAX_REASON} characters.`);
    if (!(await APPLY[kind](users, email, { actor: user.email, reason, at: context.now() }, request.body))) throw new WebError('not-found', 'There is no such account.');
    return reply.code(303).redirect(`/accounts?done=${kind}`);
  });
}

function trustAdmin(request: FastifyRequest): User {
  const user = requireUser(request, 'accounts');
  if (user.schools !== 'all') throw new WebError('forbidden', 'Only an admin of the whole trust may change accounts.');
  return user;
}

function roleOf(text: string): UserRole {
  const role = USER_ROLES.find((each) => each === text);
  if (!role) throw new WebError('bad-request', 'Choose a role.');
  return role;
}
