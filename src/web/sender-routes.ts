import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OverrideOutcome } from '../actions/sender-override.js';
import type { ReturnedSummary } from '../store/returned-store.js';
import { SenderLinks, type ParsedLink } from '../store/sender-links.js';
import type { Store } from '../store/store.js';
import { OVERRIDE_REASONS, RELEASE_REASONS, type Justification, type OverrideReasonCategory } from '../policy/justifications.js';
import { heldPage, reasonFrom, returnedPage, senderDonePage } from './sender-page.js';
import { csrfToken, csrfTokenMatches } from './session-cookies.js';
import { field, sendPage } from './web-context.js';
import { refusedWhenNotFound, WebError } from './web-error.js';

export interface SenderRoutesContext {
  readonly store: Pick<Store, 'returned' | 'quarantine' | 'senderLinks'>;
  readonly now: () => Date;
  /** Sends a returned message as it was (src/actions/sender-override.ts); absent where this process cannot deliver. */
  readonly sendAsItWas?: (id: string, justification: Justification, now: Date) => Promise<OverrideOutcome>;
}

type Params = { Params: { token: string } };

const INVALID = 'This link is not valid. Use the link in your notice exactly as it came, or ask your Data Protection Officer.';
const EXPIRED = 'This link has expired, and the message was not sent. Send it again, or use the suggested version from your notice.';
// Per client address: a link is long and unguessable, so this only stops a flood, never a sender.
const RATE_LIMIT = { max: 30, timeWindow: 60_000 };

/**
 * The sender's page, reached from the link in a notice, without signing in: the signed link (sender-links.ts) is
 * the credential, bound to the message and the sender's address. Opening it changes nothing (a mail scanner such as
 * Safe Links opens every link it sees); only the form's POST acts, once.
 */
export async function senderRoutes(app: FastifyInstance, context: SenderRoutesContext): Promise<void> {
  const route = { config: { public: true, rateLimit: RATE_LIMIT } };

  app.get<Params>('/sender/:token', route, async (request, reply) => {
    const link = await checkedLink(context, request.params.token);
    const action = `/sender/${request.params.token}`;
    const csrf = csrfToken(request.params.token, 'sender-link');
    if (link.purpose === 'held') {
      await heldStillOpen(context, link.messageId);
      return sendPage(reply, heldPage({ receivedAt: link.record.receivedAt, expiresAt: link.expiresAt, csrf, action }));
    }
    return sendPage(reply, await returnedView(context, link.record as ReturnedSummary, { csrf, action }));
  });

  app.post<Params>('/sender/:token', { ...route, preValidation: async (request) => requireLinkCsrf(request) }, async (request, reply) => {
    const link = await checkedLink(context, request.params.token);
    const action = `/sender/${request.params.token}`;
    const csrf = csrfToken(request.params.token, 'sender-link');
    const choice = field(request.body, 'reason');
    const details = field(request.body, 'details');
    if (link.purpose === 'held') {
      await heldStillOpen(context, link.messageId);
      const reason = reasonFrom(RELEASE_REASONS, choice, details);
      if (!reason) return sendPage(reply, heldPage({ receivedAt: link.record.receivedAt, expiresAt: link.expiresAt, csrf, action, error: MISSING_REASON }), 400);
      const outcome = await context.store.returned.requestRelease({ messageId: link.messageId, reason, at: context.now() });
      if (outcome === 'not-held') throw new WebError('conflict', 'The Data Protection Officer has already decided on this message; you will have had a note saying how.');
      if (outcome === 'already-asked') throw new WebError('conflict', 'You have already asked for its release; the Data Protection Officer will decide.');
      return sendPage(
        reply,
        senderDonePage(
          'Release requested',
          'Your request has gone to the Data Protection Officer with your reason. The message stays held until they decide; you will get a note either way.',
        ),
      );
    }
    const record = link.record as ReturnedSummary;
    const reason = reasonFrom(OVERRIDE_REASONS, choice, details);
    if (!reason) return sendPage(reply, await returnedView(context, record, { csrf, action, error: MISSING_REASON }), 400);
    if (!(await overridable(context, record))) throw new WebError('forbidden', 'The school policy does not let a sender set this aside.');
    if (!context.sendAsItWas) throw new WebError('unavailable', 'Sending is not available just now; nothing was sent. Try again in a few minutes.');
    const outcome = await context.sendAsItWas(record.id, { category: choice as OverrideReasonCategory, reason }, context.now());
    if (outcome.kind === 'unavailable') throw new WebError('conflict', 'This link has been used already, or has just expired; the message was not sent again.');
    if (outcome.kind === 'not-taken')
      throw new WebError('unavailable', 'The mail service did not take the message just now, so it was not sent. Try again in a few minutes; the link still works.');
    return sendPage(
      reply,
      senderDonePage(
        'Message sent',
        `Your message has been sent as you wrote it${outcome.encrypted ? ', encrypted' : ''}. Your reason is recorded for the Data Protection Officer.`,
      ),
    );
  });
}

const MISSING_REASON = 'Choose a reason, and for another reason say it in your own words.';

interface CheckedLink extends ParsedLink {
  readonly record: { readonly from: string; readonly receivedAt: Date; readonly schoolId: string };
}

/**
 * The link's message, when the link is one this gateway signed for that message's sender and still in time. A
 * tampered or unknown link is not found; a link used once already is a conflict; a late one has expired.
 */
async function checkedLink(context: SenderRoutesContext, token: string): Promise<CheckedLink> {
  const link = SenderLinks.parse(token);
  if (!link) throw new WebError('not-found', INVALID);
  const record = link.purpose === 'returned' ? await context.store.returned.find(link.messageId) : await context.store.quarantine.find(link.messageId);
  if (!record) throw new WebError('not-found', INVALID);
  const now = context.now();
  const check = context.store.senderLinks.check(link, record.from, now);
  if (check === 'invalid') throw new WebError('not-found', INVALID);
  if (link.purpose === 'returned') {
    const returned = record as ReturnedSummary;
    if (returned.status === 'sent') throw new WebError('conflict', 'This link has been used: the message was sent. It cannot be sent again from here.');
    if (returned.status === 'sending') throw new WebError('conflict', 'The message is being sent right now.');
    if (check === 'expired' || returned.bodyDestroyed || returned.expiresAt.getTime() <= now.getTime()) throw new WebError('expired', EXPIRED);
  } else if (check === 'expired') {
    throw new WebError('expired', 'This link has expired. The message is still with the Data Protection Officer, who will decide.');
  }
  return { ...link, record };
}

/** A held message's request stands once; a decided message takes none. */
async function heldStillOpen(context: SenderRoutesContext, id: string): Promise<void> {
  const held = await context.store.quarantine.find(id);
  if (held?.status !== 'held') throw new WebError('conflict', 'The Data Protection Officer has already decided on this message; you will have had a note saying how.');
  const revoked = await context.store.returned.revokedRules(held.schoolId, held.from);
  if (held.ruleIds.some((rule) => revoked.includes(rule)))
    throw new WebError('forbidden', 'The Data Protection Officer has withdrawn this option from you; they will still review the message.');
  if (await context.store.returned.releaseRequestFor(id))
    throw new WebError('conflict', 'This link has been used: you have asked for its release already, and the Data Protection Officer will decide.');
}

async function overridable(context: SenderRoutesContext, record: ReturnedSummary): Promise<boolean> {
  if (!record.overridable) return false;
  const revoked = await context.store.returned.revokedRules(record.schoolId, record.from);
  return !record.returnedBy.some((rule) => revoked.includes(rule));
}

async function returnedView(
  context: SenderRoutesContext,
  record: ReturnedSummary,
  form: { readonly csrf: string; readonly action: string; readonly error?: string },
): Promise<string> {
  const message = await context.store.returned.open(record.id).catch(refusedWhenNotFound((cause) => new WebError('expired', EXPIRED, { cause })));
  const revoked = (await context.store.returned.revokedRules(record.schoolId, record.from)).filter((rule) => record.returnedBy.includes(rule));
  return returnedPage({
    notice: message.notice,
    receivedAt: record.receivedAt,
    expiresAt: record.expiresAt,
    offersOverride: record.overridable && revoked.length === 0,
    revoked,
    encrypt: record.encrypt,
    ...form,
  });
}

function requireLinkCsrf(request: FastifyRequest<Params>): void {
  const presented = (request.body as Record<string, unknown> | undefined)?._csrf;
  if (!csrfTokenMatches(request.params.token, 'sender-link', presented)) throw new WebError('csrf', 'This form has expired. Open the link from your notice again.');
}
