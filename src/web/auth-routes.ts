import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PasswordHashing } from '../smtp/password-hash.js';
import { MFA_ROLES, type SessionStage, type User } from '../store/user-directory.js';
import { html } from './html.js';
import { STAGE_PAGES } from './second-factor-routes.js';
import { page } from './layout.js';
import type { EntraSignIn } from './entra-sign-in.js';
import { AuthFailureLimit } from '../smtp/auth-failure-limit.js';
import { ConcurrencyLimit, ConcurrencyLimitFull } from '../smtp/concurrency-limit.js';
import { GATEWAY_DEFAULTS } from '../config/gateway-config.js';
import { csrfToken, csrfTokenMatches, SessionCookies } from './session-cookies.js';
import { field, requireCsrf, sendPage, type WebContext } from './web-context.js';
import { WebError } from './web-error.js';

export interface SignInLimit {
  /** Attempts allowed per window for one client address and login. */
  readonly max: number;
  /** The window in milliseconds. */
  readonly windowMs: number;
  /** Failed sign-ins allowed per account from all addresses together (ASVS 2.2.1): a guesser who rotates addresses. */
  readonly accountFailures: number;
  /** Their window, in milliseconds. */
  readonly accountWindowMs: number;
}

/** `limits.signIn` as the routes take it. */
export function signInLimitFrom(limits: { readonly attemptsPerMinute: number; readonly accountFailures: number; readonly accountWindowMinutes: number }): SignInLimit {
  return { max: limits.attemptsPerMinute, windowMs: 60_000, accountFailures: limits.accountFailures, accountWindowMs: limits.accountWindowMinutes * 60_000 };
}

export const SIGN_IN_LIMIT: SignInLimit = signInLimitFrom(GATEWAY_DEFAULTS.signIn);

/** `GET /sign-in`, `POST /sign-in` (rate-limited per address and login), `POST /sign-out`. */
export async function authRoutes(
  app: FastifyInstance,
  context: WebContext & {
    readonly signInLimit: SignInLimit;
    readonly passwordHashes: ConcurrencyLimit;
    readonly passwordHashing: PasswordHashing;
    readonly entra?: EntraSignIn;
    readonly passwordSignIn: boolean;
  },
): Promise<void> {
  const { store, cookies } = context;
  const withMicrosoft = () => context.entra?.available ?? false;

  app.get('/sign-in', { config: { public: true } }, async (request, reply) => {
    if (!context.passwordSignIn) return sendPage(reply, microsoftOnlyPage(withMicrosoft()));
    const value = request.cookies[cookies.signIn] ?? SessionCookies.newSignInValue();
    reply.setCookie(cookies.signIn, value, cookies.options());
    return sendPage(reply, signInPage(csrfToken(value, 'sign-in'), withMicrosoft()));
  });

  if (context.passwordSignIn) passwordSignInRoute(app, context, withMicrosoft);

  app.post('/sign-out', async (request, reply) => {
    if (!request.sessionToken) throw new WebError('signed-out', 'You are signed out.');
    requireCsrf(request);
    await store.users.endSession(request.sessionToken);
    reply.clearCookie(cookies.session, cookies.options());
    return reply.code(303).redirect('/sign-in');
  });

  app.get('/', { config: { public: true } }, async (request, reply) => reply.code(303).redirect(request.user ? '/quarantine' : '/sign-in'));
}

/**
 * `POST /sign-in`: the password, then what the account still needs: a TOTP code if it has an authenticator,
 * enrolment if its role needs one, else nothing. A hash below today's cost is replaced while the password is known.
 */
function passwordSignInRoute(
  app: FastifyInstance,
  context: WebContext & { readonly signInLimit: SignInLimit; readonly passwordHashes: ConcurrencyLimit; readonly passwordHashing: PasswordHashing },
  withMicrosoft: () => boolean,
): void {
  const { store, cookies, passwordHashes, passwordHashing } = context;
  // Keyed by a hash of the login, so the limiter's memory holds no email addresses.
  const accountFailures = new AuthFailureLimit({ perAddress: context.signInLimit.accountFailures, total: Number.POSITIVE_INFINITY, windowMs: context.signInLimit.accountWindowMs });

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
          keyGenerator: (request: FastifyRequest) =>
            createHash('sha256')
              .update(`${request.ip}\u0000${field(request.body, 'email').toLowerCase()}`)
              .digest('hex'),
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
      const matches = await passwordHashes
        .run(async () => passwordHashing.verify(password, found?.passwordHash ?? (await passwordHashing.placeholder())))
        .catch((error: unknown) => {
          throw error instanceof ConcurrencyLimitFull ? new WebError('unavailable', 'Too many sign-ins at once. Try again in a moment.') : error;
        });
      if (!found || !matches || found.user.disabled) {
        accountFailures.failed(account, Date.now());
        return sendPage(reply, signInPage(csrfToken(signInCookie!, 'sign-in'), withMicrosoft(), 'The email address or password was not recognised.'), 401);
      }
      if (passwordHashing.needsRehash(found.passwordHash)) {
        await store.users.upgradePasswordHash(found.user.email, found.passwordHash, await passwordHashing.hash(password), context.now());
      }
      // A new session id at every sign-in, so an id planted before it (session fixation) is worth nothing.
      const stage = stageAfterPassword(found.user);
      const session = await store.users.startSession(found.user.email, context.now(), stage);
      reply.clearCookie(cookies.signIn, cookies.options());
      reply.setCookie(cookies.session, session.token, cookies.sessionOptions(session));
      return reply
        .code(303)
        .header('cache-control', 'no-store')
        .redirect(stage === 'complete' ? '/quarantine' : STAGE_PAGES[stage]);
    },
  );
}

/** An enrolled account always gives a code; one whose role needs MFA and has none enrols first. */
export function stageAfterPassword(user: User): SessionStage {
  if (user.mfa) return 'second-factor';
  return MFA_ROLES.includes(user.role) ? 'enrol' : 'complete';
}

/** With password sign-in switched off: Microsoft only, and a plain word when it cannot be reached. */
function microsoftOnlyPage(available: boolean): string {
  return page(
    'Sign in',
    available
      ? html`<p><a href="/sign-in/entra">Sign in with Microsoft</a></p>`
      : html`<p class="error" role="alert">Sign-in with Microsoft is not available at the moment, and this app accepts no passwords. Try again in a minute.</p>`,
  );
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
