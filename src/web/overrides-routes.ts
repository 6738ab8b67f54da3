import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { overridesPage } from './overrides-page.js';
import { field, formToken, inScope, recordsFor, requireCsrf, requireUser, sendPage, type WebContext } from './web-context.js';
import { WebError } from './web-error.js';

const DONE = { revoke: 'Override taken away: that sender can no longer set this rule aside.', restore: 'Override given back.' } as const;
const MAX_REASON = 500;

/** `/overrides`: what senders set aside or asked for, and revoking a rule's override for one sender (dpo, admin). */
export async function overridesRoutes(app: FastifyInstance, context: WebContext): Promise<void> {
  app.get('/overrides', async (request, reply) => render(request, reply, doneNotice(request.query)));

  app.post('/overrides/revoke', async (request, reply) => {
    const user = requireUser(request, 'overrides');
    requireCsrf(request);
    const { school, sender, rule } = target(request, user);
    const reason = field(request.body, 'reason');
    if (reason === '' || reason.length > MAX_REASON) throw new WebError('bad-request', `Give a reason (up to ${MAX_REASON} characters): it goes in the audit log.`);
    await context.store.returned.revoke({ schoolId: school, sender, ruleId: rule, actor: user.email, reason, at: context.now() });
    return reply.code(303).redirect('/overrides?done=revoke');
  });

  app.post('/overrides/restore', async (request, reply) => {
    const user = requireUser(request, 'overrides');
    requireCsrf(request);
    const { school, sender, rule } = target(request, user);
    if (!(await context.store.returned.restore({ schoolId: school, sender, ruleId: rule, actor: user.email, at: context.now() })))
      throw new WebError('conflict', 'That override was not taken away.');
    return reply.code(303).redirect('/overrides?done=restore');
  });

  async function render(request: FastifyRequest, reply: FastifyReply, notice?: string) {
    const user = requireUser(request, 'overrides');
    const records = recordsFor(context, user);
    const [overrides, requests, revocations] = await Promise.all([records.listOverrides({}), records.listReleaseRequests(), records.listRevocations()]);
    return sendPage(reply, overridesPage({ user, csrf: formToken(request), overrides, requests, revocations, ...(notice ? { notice } : {}) }));
  }
}

/** The school, sender and rule a form names; a school outside the user's scope is not found. */
function target(request: FastifyRequest, user: Parameters<typeof inScope>[0]): { school: string; sender: string; rule: string } {
  const school = field(request.body, 'school');
  const sender = field(request.body, 'sender');
  const rule = field(request.body, 'rule');
  if (!school || !sender || !/^[a-z0-9][a-z0-9-]*$/.test(rule)) throw new WebError('bad-request', 'Choose a sender and a rule.');
  if (!inScope(user, school)) throw new WebError('not-found', 'No such school.');
  return { school, sender, rule };
}

function doneNotice(query: unknown): string | undefined {
  const done = (query as Record<string, unknown> | undefined)?.done;
  return done === 'revoke' || done === 'restore' ? DONE[done] : undefined;
}
