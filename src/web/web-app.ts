import { readFileSync } from 'node:fs';
import { httpStatusFor } from '../errors/hallmonitor-error.js';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { RuleSet } from '../policy/decide.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { accountsRoutes } from './accounts-routes.js';
import { activityRoutes } from './activity-routes.js';
import { alertsRoutes, withOpenAlerts } from './alerts-routes.js';
import { OWASP_HASHING, type PasswordHashing } from '../smtp/password-hash.js';
import { authRoutes, SIGN_IN_LIMIT, type SignInLimit } from './auth-routes.js';
import { ConcurrencyLimit } from '../smtp/concurrency-limit.js';
import { entraRoutes } from './entra-routes.js';
import type { EntraSignIn } from './entra-sign-in.js';
import { html } from './html.js';
import { metricsRoute } from './metrics-route.js';
import { page } from './layout.js';
import { overridesRoutes } from './overrides-routes.js';
import { quarantineRoutes } from './quarantine-routes.js';
import { reportRoutes } from './report-routes.js';
import { SECOND_FACTOR_LIMIT, secondFactorRoutes, STAGE_PAGES, type SecondFactorLimit } from './second-factor-routes.js';
import { senderRoutes, type SenderRoutesContext } from './sender-routes.js';
import { SessionCookies } from './session-cookies.js';
import { formToken, sendPage, type WebContext } from './web-context.js';
import { WebError } from './web-error.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without a session: sign-in, the stylesheet, /healthz and /metrics. */
    public?: boolean;
  }
}

export interface WebAppOptions {
  /** The store: quarantine records, the audit log, users and sessions. */
  readonly store: WebContext['store'];
  /** Where releases and the sender's notices are queued. */
  readonly mail: WebContext['mail'];
  /** The gateway's metrics for `/metrics`; without them `/metrics` answers 404. */
  readonly metrics?: { readonly registry: Registry };
  /** For `/healthz`: false while the gateway stops (503), so a load balancer drains it. Default: always healthy. */
  readonly isHealthy?: () => boolean;
  /** For `/readyz`: whether the gateway's dependencies answer now (gateway/readiness.ts). Absent: ready while healthy. */
  readonly readiness?: () => Promise<{ readonly ready: boolean; readonly failing: readonly string[] }>;
  /**
   * The app is reached over HTTPS (directly or through a TLS-terminating proxy): cookies get Secure and the
   * `__Host-` prefix, and HSTS is sent. Default false, for plain HTTP on localhost.
   */
  readonly secureCookies?: boolean;
  /** Sign-in attempts allowed per client address and login (default 5 a minute). */
  readonly signInLimit?: SignInLimit;
  /** Bounds password hashes at once (default `limits.passwordHashes`); the gateway shares one with SMTP AUTH. */
  readonly passwordHashes?: ConcurrencyLimit;
  /** How passwords are hashed and checked. Default, and always in the gateway: scrypt at OWASP's cost (`OWASP_HASHING`). */
  readonly passwordHashing?: PasswordHashing;
  /** Codes tried at the second step of sign-in per account (default 5 a minute). */
  readonly secondFactorLimit?: SecondFactorLimit;
  /** Trust `X-Forwarded-For` from this proxy (Fastify's `trustProxy`), so rate limits see the real client. */
  readonly trustProxy?: boolean | string | string[];
  /** When set, `/metrics` answers only `Authorization: Bearer <metricsToken>` (Prometheus's bearer credentials). */
  readonly metricsToken?: string;
  /** The clock, for tests. Default: now. */
  readonly now?: () => Date;
  /**
   * Each school's active rules by school id, for `/rules`; called at every request, so a reload of the
   * schools shows at once. Default: the shipped rules, and the page says so.
   */
  readonly ruleSets?: () => ReadonlyMap<string, RuleSet>;
  /** Sign-in with Microsoft Entra ID beside passwords (entra-sign-in.ts); the button shows while it is available. */
  readonly entraSignIn?: EntraSignIn;
  /**
   * Whether the password form signs anyone in (default true). False only with `entraSignIn`: every sign-in then
   * goes through Entra ID, and its Conditional Access (MFA) applies to all.
   */
  readonly passwordSignIn?: boolean;
  /**
   * Sends a returned message as it was, for its sender's page (src/actions/sender-override.ts). Without it the page
   * still shows what was found and takes held messages' release requests, but offers no sending.
   */
  readonly sendAsItWas?: SenderRoutesContext['sendAsItWas'];
}

const STYLESHEET = readFileSync(join(PACKAGE_ROOT, 'src', 'web', 'assets', 'app.css'), 'utf8');
const MAX_FORM_BYTES = 64 * 1024;

/**
 * The review app: server-rendered pages, one stylesheet and no script. Every route needs a session but
 * sign-in, the stylesheet, /healthz and /metrics; every form carries a token bound to the session.
 * Call `listen()` on the result, or `inject()` in tests.
 */
export async function createWebApp(options: WebAppOptions): Promise<FastifyInstance> {
  const cookies = new SessionCookies(options.secureCookies ?? false);
  const context: WebContext = { store: options.store, mail: options.mail, cookies, now: options.now ?? (() => new Date()) };
  // No logger: nothing about a request is logged (forms carry passwords and reasons; pages, personal data).
  // No automatic HEAD routes: a HEAD of a message page would open it and write a `view` entry nobody saw.
  const app = Fastify({ logger: false, bodyLimit: MAX_FORM_BYTES, trustProxy: options.trustProxy ?? false, exposeHeadRoutes: false });

  await app.register(fastifyHelmet, helmetOptions(cookies.secure));
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: MAX_FORM_BYTES });
  await app.register(fastifyRateLimit, { global: false });

  app.addHook('onRequest', async (request, reply) => resumeSession(context, request, reply));
  app.addHook('preHandler', async (request) => {
    if (!request.routeOptions.config.public && !request.user) throw new WebError('signed-out', 'Sign in to continue.');
  });
  // The bar of every page shows the open alerts: one indexed count per request, for the roles with an inbox.
  app.addHook('preHandler', async (request) => {
    if (request.user && !request.routeOptions.config.public) request.user = await withOpenAlerts(context, request.user);
  });
  app.setErrorHandler((error: FastifyError | WebError, request, reply) => errorReply(error, request, reply));
  app.setNotFoundHandler((request, reply) => errorReply(new WebError('not-found', 'There is no such page.'), request, reply));

  statusRoutes(app, options);
  // Browsers ask for it on every page; an empty answer saves a 404 page each time.
  app.get('/favicon.ico', { config: { public: true } }, async (_request, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());
  app.get('/assets/app.css', { config: { public: true } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(STYLESHEET),
  );
  const { entraSignIn } = options;
  if (options.passwordSignIn === false && !entraSignIn) throw new Error('password sign-in can be switched off only where Entra ID sign-in is configured');
  const passwordSignIn = options.passwordSignIn ?? true;
  const passwordHashes = options.passwordHashes ?? new ConcurrencyLimit();
  await app.register(async (scope) =>
    authRoutes(scope, {
      ...context,
      passwordSignIn,
      passwordHashes,
      passwordHashing: options.passwordHashing ?? OWASP_HASHING,
      signInLimit: options.signInLimit ?? SIGN_IN_LIMIT,
      ...(entraSignIn ? { entra: entraSignIn } : {}),
    }),
  );
  if (passwordSignIn) await app.register(async (scope) => secondFactorRoutes(scope, { ...context, secondFactorLimit: options.secondFactorLimit ?? SECOND_FACTOR_LIMIT }));
  if (entraSignIn) await app.register(async (scope) => entraRoutes(scope, { ...context, entra: entraSignIn }));
  await app.register(async (scope) => quarantineRoutes(scope, context));
  await app.register(async (scope) => senderRoutes(scope, { ...context, ...(options.sendAsItWas ? { sendAsItWas: options.sendAsItWas } : {}) }));
  await app.register(async (scope) => alertsRoutes(scope, context));
  await app.register(async (scope) => overridesRoutes(scope, context));
  await app.register(async (scope) => accountsRoutes(scope, context));
  await app.register(async (scope) => reportRoutes(scope, { ...context, ...(options.ruleSets ? { ruleSets: options.ruleSets } : {}) }));
  await app.register(async (scope) => activityRoutes(scope, { ...context, ...(options.ruleSets ? { ruleSets: options.ruleSets } : {}) }));
  return app;
}

/**
 * Sets `request.user` from a live, complete session cookie, or `request.pendingSignIn` from one part-way
 * through sign-in (which reaches the sign-in steps only); an ended one is cleared.
 */
async function resumeSession(context: WebContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = request.cookies[context.cookies.session];
  if (!token) return;
  const resumed = await context.store.users.resume(token, context.now());
  if (!resumed) {
    reply.clearCookie(context.cookies.session, context.cookies.options());
    return;
  }
  const { stage, ...user } = resumed;
  if (stage === 'complete') request.user = user;
  else request.pendingSignIn = resumed;
  request.sessionToken = token;
}

/** `/healthz`, `/readyz` and `/metrics` carry no personal data, so a load balancer and Prometheus reach them without a session. */
function statusRoutes(app: FastifyInstance, options: WebAppOptions): void {
  app.get('/healthz', { config: { public: true } }, async (_request, reply) => {
    const healthy = options.isHealthy?.() ?? true;
    return reply
      .code(healthy ? 200 : 503)
      .header('cache-control', 'no-store')
      .type('text/plain')
      .send(healthy ? 'ok\n' : 'stopping\n');
  });
  app.get('/readyz', { config: { public: true } }, async (_request, reply) => {
    const { ready, failing } = options.readiness ? await options.readiness() : { ready: options.isHealthy?.() ?? true, failing: ['stopping'] };
    const text = ready ? 'ready\n' : `not ready: ${failing.join(', ')}\n`;
    return reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .type('text/plain')
      .send(text);
  });
  metricsRoute(app, {
    ...(options.metrics ? { registry: options.metrics.registry } : {}),
    ...(options.metricsToken === undefined ? {} : { metricsToken: options.metricsToken }),
    notFound: () => new WebError('not-found', 'There is no such page.'),
  });
}

/**
 * The one place errors become HTTP answers: a page for people, a status for everything. A page asked for
 * without a session goes to sign-in; anything unexpected is a plain 500 that names no content.
 */
function errorReply(error: FastifyError | WebError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof WebError && error.code === 'signed-out' && request.method === 'GET') {
    const pending = request.pendingSignIn;
    const next = pending && pending.stage !== 'complete' ? STAGE_PAGES[pending.stage] : '/sign-in';
    return reply
      .code(303)
      .header('cache-control', 'no-store')
      .redirect(next === request.url ? '/sign-in' : next);
  }
  // Its own status where the error has one (WebError, Fastify's 4xx), else by its disposition: 503 for what may work later.
  const status = httpStatusFor(error);
  const message =
    error instanceof WebError
      ? error.message
      : status === 429
        ? 'Too many attempts. Wait a minute, then try again.'
        : status < 500
          ? 'The request could not be understood.'
          : 'Something went wrong; nothing was changed. Try again.';
  const title =
    status === 429
      ? 'Too many attempts'
      : status === 403
        ? 'Not allowed'
        : status === 404
          ? 'Not found'
          : status === 401
            ? 'Signed out'
            : status === 410
              ? 'Link expired'
              : status < 500
                ? 'Cannot do that'
                : 'Error';
  // A sender from a notice's link has no account: offering them sign-in would only confuse.
  const onward = request.user
    ? html`<p><a href="/quarantine">Back to the quarantine</a></p>`
    : request.url.startsWith('/sender/')
      ? null
      : html`<p><a href="/sign-in">Sign in</a></p>`;
  const body = html`<p class="error" role="alert">${message}</p>${onward}`;
  return sendPage(reply, page(title, body, request.user ? { user: request.user, csrf: formToken(request) } : {}), status);
}

/**
 * No script at all (`script-src 'none'`), nothing from elsewhere, no framing of the app and no frame
 * navigation: the only frame is the message's `srcdoc` HTML body, which loads nothing (see message-page.ts).
 */
function helmetOptions(secure: boolean) {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameSrc: ["'none'"],
        childSrc: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: 'no-referrer' as const },
    crossOriginEmbedderPolicy: false,
    hsts: secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  };
}
