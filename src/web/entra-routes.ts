import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { User } from '../store/user-directory.js';
import { ENTRA_CALLBACK_PATH, EntraRefusal, type EntraSignIn } from './entra-sign-in.js';
import { html } from './html.js';
import { page } from './layout.js';
import { SessionCookies } from './session-cookies.js';
import { sendPage, type WebContext } from './web-context.js';
import { WebError, type WebErrorCode } from './web-error.js';

/** How each refusal reaches the browser. */
const STATUS_OF: Record<EntraRefusal['code'], WebErrorCode> = {
  unavailable: 'unavailable',
  'no-flow': 'bad-request',
  'response-refused': 'bad-request',
  'wrong-tenant': 'forbidden',
  'no-account': 'forbidden',
  guest: 'forbidden',
};

/**
 * `GET /sign-in/entra` sends the browser to Entra ID; `GET /sign-in/entra/callback` finishes there: the same
 * session as a password sign-in, for the local account the Microsoft account's address names.
 */
export async function entraRoutes(app: FastifyInstance, context: WebContext & { readonly entra: EntraSignIn }): Promise<void> {
  const { cookies, entra, store } = context;

  // A link, not a form: Chromium applies `form-action 'self'` to a form's redirects, so a form could not reach Entra ID.
  app.get('/sign-in/entra', { config: { public: true } }, async (_request, reply) => {
    const flowSecret = SessionCookies.newSignInValue();
    const authorizationUrl = await refusedAsWebError(entra, () => entra.authorizationUrl(flowSecret));
    reply.setCookie(cookies.entraFlow, flowSecret, cookies.flowOptions());
    return reply.code(303).header('cache-control', 'no-store').redirect(authorizationUrl.href);
  });

  app.get(ENTRA_CALLBACK_PATH, { config: { public: true } }, async (request, reply) => {
    // Cleared whatever happens: a callback is good once (a replayed one finds no cookie).
    const flowSecret = request.cookies[cookies.entraFlow];
    reply.clearCookie(cookies.entraFlow, cookies.flowOptions());
    const user = await refusedAsWebError(entra, () => accountFor(context, request, flowSecret));
    // A new session id at every sign-in, as with a password (no fixation).
    const session = await store.users.startSession(user.email, context.now());
    reply.clearCookie(cookies.signIn, cookies.options());
    reply.setCookie(cookies.session, session.token, cookies.sessionOptions(session));
    return sendPage(reply, signedInPage());
  });
}

/**
 * The local account, enabled, that the person's Entra ID object is bound to; at the first Microsoft sign-in, the
 * unbound account their username names, which is then bound to the object (tenant and object id) for good, so a
 * renamed or recycled username in the directory never reaches another account. A guest of the tenant only where
 * the account allows guests. Hallmonitor authorises.
 */
async function accountFor(context: WebContext & { readonly entra: EntraSignIn }, request: FastifyRequest, flowSecret: string | undefined): Promise<User> {
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
  const identity = await context.entra.identityFrom(query, flowSecret);
  const { users } = context.store;
  const bound = await users.findByEntraObject(identity.tenantId, identity.objectId);
  const account = bound ?? (identity.username ? (await users.credentials(identity.username))?.user : undefined);
  if (!account || account.disabled || (!bound && account.entraBound)) throw new EntraRefusal('no-account');
  if (identity.guest && !account.entraGuest) throw new EntraRefusal('guest');
  if (!bound && !(await users.bindEntraObject(account.email, identity.tenantId, identity.objectId, context.now()))) throw new EntraRefusal('no-account');
  return account;
}

/** Logs a refusal by its code and turns it into the app's error page. */
async function refusedAsWebError<T>(entra: EntraSignIn, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof EntraRefusal)) throw error;
    entra.report({ code: error.code, ...(error.detail ? { detail: error.detail } : {}) });
    throw new WebError(STATUS_OF[error.code], error.message);
  }
}

/**
 * The callback's answer is a page that moves on by itself rather than a redirect: the browser arrived from Entra
 * ID, another site, and withholds SameSite=Strict cookies from every hop of that navigation, so a redirect would
 * reach the quarantine without the new session. The refresh is this page's own navigation (no script needed).
 */
function signedInPage(): string {
  return page(
    'Signed in',
    html`<meta http-equiv="refresh" content="0;url=/quarantine">
<p class="notice" role="status">Signed in with Microsoft.</p>
<p><a href="/quarantine">Continue to the quarantine</a></p>`,
  );
}
