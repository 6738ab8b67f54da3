import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashPassword, verifyPassword } from '../smtp/password-hash.js';
import { html } from './html.js';
import { page } from './layout.js';
import type { EntraSignIn } from './entra-sign-in.js';
import { AuthFailureLimit } from '../smtp/auth-failure-limit.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { csrfToken, csrfTokenMatches, SessionCookies } from './session-cookies.js';
import { field, requireCsrf, sendPage, type WebContext } from './web-context.js';
import { WebError } from './web-error.js';

export interface SignInLimit {
  /** Attempts allowed per window for one client address and login (default 5). */
  readonly max: number;
  /** The window in milliseconds (default a minute). */
  readonly windowMs: number;
}

export const SIGN_IN_LIMIT: SignInLimit = { max: 5, windowMs: 60_000 };

/** Failed sign-ins allowed per account from all addresses together (ASVS 2.2.1): a guesser who rotates addresses. */
export const ACCOUNT_FAILURE_LIMIT = { perAddress: 10, total: Number.POSITIVE_INFINITY, windowMs: 15 * 60_000 } as const;

/** Compared against when the login is unknown, so an unknown address takes as long as a wrong password. */
const NO_SUCH_USER_HASH = hashPassword('no such user: a placeholder that matches nothing');

/** `GET /sign-in`, `POST /sign-in` (rate-limited per address and login), `POST /sign-out`. */
export async function authRoutes(app: FastifyInstance, context: WebContext & { readonly signInLimit: SignInLimit; readonly entra?: EntraSignIn }): Promise<void> {
  const { store, cookies } = context;
  const withMicrosoft = () => context.entra?.available ?? false;
  // Keyed by a hash of the login, so the limiter's memory holds no email addresses.
  const accountFailures = new AuthFailureLimit(ACCOUNT_FAILURE_LIMIT);
  const passwordHashes = new ConcurrencyLimit();

  app.get('/sign-in', { config: { public: true } }, async (request, reply) => {
    const value = request.cookies[cookies.signIn] ?? SessionCookies.newSignInValue();
    reply.setCookie(cookies.signIn, value, cookies.options());
    return sendPage(reply, signInPage(csrfToken(value, 'sign-in'), withMicrosoft()));
  });

  app.post(
    '/sign-in',
    {
      config: {
        public: true,
        rateLimit: {
          // Counted at preHandler, after the form token was checked (preValidation): a forged post costs nobody a try.
          max: context.signInLimit.max,
          timeWindow: context.signInLimit.windowMs,
          hook: 'preHandler',
          // Per address and login, hashed so the limiter's memory holds no email addresses.
          keyGenerator: (request: FastifyRequest) => createHash('sha256').update(`${request.ip}\u0000${field(request.body, 'email').toLowerCase()}`).digest('hex'),
        },
      },
      preValidation: async (request) => {
        if (!csrfTokenMatches(request.cookies[cookies.signIn], 'sign-in', (request.body as Record<string, unknown> | undefined)?._csrf)) {
          throw new WebError('csrf', 'The sign-in form has expired. Reload the page and try again.');
        }
      },
    },
    async (request, reply) => {
      const signInCookie = request.cookies[cookies.signIn];
      const account = createHash('sha256').update(field(request.body, 'email').toLowerCase()).digest('hex');
      if (accountFailures.throttled(account, Date.now())) throw Object.assign(new Error('too many failed sign-ins for this account'), { statusCode: 429 });
      const found = await store.users.credentials(field(request.body, 'email'));
      const password = field(request.body, 'password');
      const matches = await passwordHashes.run(async () => verifyPassword(password, found?.passwordHash ?? (await NO_SUCH_USER_HASH)));
      if (!found || !matches || found.user.disabled) {
        accountFailures.failed(account, Date.now());
        return sendPage(reply, signInPage(csrfToken(signInCookie!, 'sign-in'), withMicrosoft(), 'The email address or password was not recognised.'), 401);
      }
      // A new session id at every sign-in, so an id planted before it (session fixation) is worth nothing.
      const session = await store.users.startSession(found.user.email, context.now());
      reply.clearCookie(cookies.signIn, cookies.options());
      reply.setCookie(cookies.session, session.token, cookies.sessionOptions(session));
      return reply.code(303).header('cache-control', 'no-store').redirect('/quarantine');
    },
  );

  app.post('/sign-out', async (request, reply) => {
    if (!request.user) throw new WebError('signed-out', 'You are signed out.');
    requireCsrf(request);
    await store.users.endSession(request.sessionToken!);
    reply.clearCookie(cookies.session, cookies.options());
    return reply.code(303).redirect('/sign-in');
  });

  app.get('/', { config: { public: true } }, async (request, reply) => reply.code(303).redirect(request.user ? '/quarantine' : '/sign-in'));
}

/** The password form, and the link to sign in with Microsoft when Entra ID is configured and reachable. */
function signInPage(token: string, withMicrosoft: boolean, problem?: string): string {
  return page(
    'Sign in',
    html`${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
<form method="post" action="/sign-in">
<input type="hidden" name="_csrf" value="${token}">
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p>
</form>
${withMicrosoft ? html`<p><a href="/sign-in/entra">Sign in with Microsoft</a></p>` : null}`,
  );
}
