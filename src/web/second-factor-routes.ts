import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionStage, SessionUser } from '../store/user-directory.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { newTotpSecret, totpQrCode, totpStepOf } from './totp.js';
import { field, formToken, requireCsrf, sendPage, type WebContext } from './web-context.js';
import { WebError } from './web-error.js';

export interface SecondFactorLimit {
  /** Codes tried per window for one account, whatever the address (default 5). */
  readonly max: number;
  /** The window in milliseconds (default a minute). */
  readonly windowMs: number;
}

export const SECOND_FACTOR_LIMIT: SecondFactorLimit = { max: 5, windowMs: 60_000 };

/** Where a session part-way through sign-in goes next. */
export const STAGE_PAGES: Record<Exclude<SessionStage, 'complete'>, string> = { 'second-factor': '/sign-in/code', enrol: '/sign-in/enrol' };

const RECOVERY_CODE = /^[a-z2-9]{4}(-?[a-z2-9]{4}){3}$/i;

/**
 * The second step of a password sign-in (RFC 6238 TOTP): `/sign-in/code` asks an enrolled account for a code or
 * a recovery code; `/sign-in/enrol` sets an authenticator up for an account whose role needs one. Both serve only
 * a session at that stage, and finish by replacing it with a complete one.
 */
export async function secondFactorRoutes(app: FastifyInstance, context: WebContext & { readonly secondFactorLimit: SecondFactorLimit }): Promise<void> {
  const { store } = context;
  const rateLimit = {
    max: context.secondFactorLimit.max,
    timeWindow: context.secondFactorLimit.windowMs,
    hook: 'preHandler' as const,
    // Per account, whatever the address: a guesser on many addresses gets no more tries. Hashed: no addresses in memory.
    keyGenerator: (request: FastifyRequest) =>
      createHash('sha256')
        .update(`second-factor\u0000${request.pendingSignIn?.email ?? request.ip}`)
        .digest('hex'),
  };

  app.get('/sign-in/code', { config: { public: true } }, async (request, reply) => {
    const pending = pendingAt(request, 'second-factor');
    return sendPage(reply, codePage(formToken(request), pending));
  });

  app.post('/sign-in/code', { config: { public: true, rateLimit } }, async (request, reply) => {
    const pending = pendingAt(request, 'second-factor');
    requireCsrf(request);
    const code = field(request.body, 'code');
    const now = context.now();
    const state = await store.users.totpState(pending.email);
    const step = state?.enrolled ? totpStepOf(state.secret, pending.email, code, now) : undefined;
    const accepted =
      step !== undefined
        ? await store.users.acceptTotpStep(pending.email, step)
        : RECOVERY_CODE.test(code.replace(/\s/g, '')) && (await store.users.useRecoveryCode(pending.email, code, now));
    if (!accepted) {
      const problem =
        step !== undefined ? 'That code was used already. Wait for the next one, then try again.' : 'That code was not recognised. Try the code your authenticator app shows now.';
      return sendPage(reply, codePage(formToken(request), pending, problem), 401);
    }
    return completeSignIn(context, request, reply, '/quarantine');
  });

  app.get('/sign-in/enrol', { config: { public: true } }, async (request, reply) => {
    const pending = pendingAt(request, 'enrol');
    const secret = await store.users.enrolmentSecret(pending.email, newTotpSecret);
    return sendPage(reply, await enrolPage(formToken(request), pending, secret));
  });

  app.post('/sign-in/enrol', { config: { public: true, rateLimit } }, async (request, reply) => {
    const pending = pendingAt(request, 'enrol');
    requireCsrf(request);
    const now = context.now();
    const state = await store.users.totpState(pending.email);
    if (!state || state.enrolled) throw new WebError('bad-request', 'Start again from the sign-in page.');
    const step = totpStepOf(state.secret, pending.email, field(request.body, 'code'), now);
    const recoveryCodes = step === undefined ? undefined : await store.users.finishEnrolment(pending.email, step, now);
    if (!recoveryCodes) {
      return sendPage(
        reply,
        await enrolPage(
          formToken(request),
          pending,
          state.secret,
          'That code was not recognised. Check the app shows Hallmonitor and this address, then type the code it shows now.',
        ),
        401,
      );
    }
    return completeSignIn(context, request, reply, undefined, recoveryCodes);
  });
}

/** The account whose session is at `stage`; a complete session has nothing to do here, and no session must sign in. */
function pendingAt(request: FastifyRequest, stage: Exclude<SessionStage, 'complete'>): SessionUser {
  const pending = request.pendingSignIn;
  if (!pending || pending.stage !== stage) throw new WebError('signed-out', 'Sign in to continue.');
  return pending;
}

/**
 * Replaces the partial session with a complete one (a new id: the one seen before the second factor is worth
 * nothing after it); then to `next`, or the recovery codes, shown this once.
 */
async function completeSignIn(
  context: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  next: string | undefined,
  recoveryCodes?: readonly string[],
): Promise<FastifyReply> {
  const session = await context.store.users.completeSession(request.sessionToken!, context.now());
  if (!session) throw new WebError('signed-out', 'This sign-in has ended. Sign in again.');
  reply.setCookie(context.cookies.session, session.token, context.cookies.sessionOptions(session));
  if (next) return reply.code(303).header('cache-control', 'no-store').redirect(next);
  return sendPage(reply, recoveryCodesPage(recoveryCodes ?? []));
}

function cancelForm(token: string): SafeHtml {
  return html`<form method="post" action="/sign-out"><input type="hidden" name="_csrf" value="${token}"><button class="link" type="submit">Cancel and sign out</button></form>`;
}

function codePage(token: string, pending: SessionUser, problem?: string): string {
  return page(
    'Enter your code',
    html`${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
<p>Signing in as ${pending.email}. Open your authenticator app and type the six-digit code it shows for Hallmonitor, or one of your recovery codes.</p>
<form method="post" action="/sign-in/code">
<input type="hidden" name="_csrf" value="${token}">
<label for="code">Code</label>
<input id="code" name="code" type="text" inputmode="text" autocomplete="one-time-code" spellcheck="false" required>
<p><button type="submit">Continue</button></p>
</form>
${cancelForm(token)}`,
  );
}

async function enrolPage(token: string, pending: SessionUser, secret: string, problem?: string): Promise<string> {
  return page(
    'Set up your authenticator',
    html`${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
<p>Your role (${pending.role}) needs a second step at sign-in. Scan this QR code with an authenticator app (Microsoft Authenticator, Google Authenticator or another), then type the six-digit code it shows.</p>
<p><img class="qr" src="${await totpQrCode(secret, pending.email)}" alt="QR code for an authenticator app; the setup key below says the same" width="240" height="240"></p>
<p>If you cannot scan it, enter this setup key in the app by hand: <code id="setup-key">${secret.match(/.{1,4}/g)!.join(' ')}</code></p>
<form method="post" action="/sign-in/enrol">
<input type="hidden" name="_csrf" value="${token}">
<label for="code">Code from the app</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" spellcheck="false" required>
<p><button type="submit">Finish setting up</button></p>
</form>
${cancelForm(token)}`,
  );
}

function recoveryCodesPage(codes: readonly string[]): string {
  return page(
    'Your recovery codes',
    html`<p class="notice" role="status">Your authenticator is set up.</p>
<p>Keep these recovery codes somewhere safe, away from your phone: each signs you in once if you lose the app. They are shown only now.</p>
<ul class="recovery-codes">${codes.map((code) => html`<li><code>${code}</code></li>`)}</ul>
<p><a href="/quarantine">Continue to the quarantine</a></p>`,
  );
}
