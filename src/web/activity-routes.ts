import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { rulesBehind } from '../policy/rule-categories.js';
import { activityCsv } from '../store/activity-csv.js';
import type { ActivityRecord } from '../store/activity-log.js';
import { termOf } from '../store/false-positives.js';
import type { User } from '../store/user-directory.js';
import { activityFields, activityFilter, activityQuery, ACTIVITY_PAGE_SIZE, type ActivityFields } from './activity-filter.js';
import { activityPage } from './activity-page.js';
import { londonDay, parseTerm, recentTerms, termRange, type SchoolTerm } from './school-terms.js';
import { tuningCsv, tuningPage, tuningRows } from './tuning-page.js';
import type { ReportContext } from './report-routes.js';
import { field, formToken, recordsFor, requireCsrf, requireUser, sendPage } from './web-context.js';
import { openHeld } from './quarantine-routes.js';
import { WebError } from './web-error.js';

/** The report routes' context: the rules in force say which of a verdict's rules a false positive counts against. */
export type ActivityContext = ReportContext;

/** The CSV holds every matching line up to this many; the page says so when a filter reaches it. */
export const ACTIVITY_CSV_ROWS = 100_000;
/** How many terms the tuning report offers, the current one first. */
const TERMS_OFFERED = 6;
const MAX_REASON = 500;
const DONE = { 'false-positive': 'Marked as a false positive: it counts in the tuning report.' } as const;

/**
 * `/activity` (the explorer, its CSV, a sender's history), marking a finding as a false positive from the explorer
 * or from a held message, and `/tuning` (which rules and terms misfire, per school and term) with its CSV.
 */
export async function activityRoutes(app: FastifyInstance, context: ActivityContext): Promise<void> {
  app.get('/activity', async (request, reply) => render(request, reply, activityFields(request.query), doneNotice(request.query)));

  app.post('/activity/search', async (request, reply) => {
    requireCsrf(request);
    return render(request, reply, activityFields(request.body));
  });

  app.get('/activity.csv', async (request, reply) => exportCsv(request, reply, activityFields(request.query)));

  app.post('/activity.csv', async (request, reply) => {
    requireCsrf(request);
    return exportCsv(request, reply, activityFields(request.body));
  });

  app.post<{ Params: { seq: string } }>('/activity/:seq/false-positive', async (request, reply) => {
    const user = requireUser(request, 'tune');
    requireCsrf(request);
    const seq = Number(request.params.seq);
    const line = Number.isSafeInteger(seq) ? await recordsFor(context, user).activityLine(seq) : undefined;
    if (!line || line.actor !== undefined) throw new WebError('not-found', 'No such verdict.');
    // `finding`, not `category`: the list's own category filter travels with the form.
    const category = field(request.body, 'finding');
    if (!(category in line.categories)) throw new WebError('bad-request', 'Choose one of the verdict’s findings.');
    await mark(user, line, category, undefined, reasonOf(request.body));
    // Back to the list as it was filtered (the sender, posted, is not in the URL).
    const query = activityQuery(activityFields(request.body), { page: '1' });
    return reply.code(303).redirect(`/activity${query ? `${query}&` : '?'}done=false-positive`);
  });

  app.post<{ Params: { id: string } }>('/quarantine/:id/false-positive', async (request, reply) => {
    const user = requireUser(request, 'tune');
    requireCsrf(request);
    const records = recordsFor(context, user);
    const message = await openHeld(context, user, request.params.id);
    const index = field(request.body, 'finding');
    const finding = /^\d+$/.test(index) ? message.findings[Number(index)] : undefined;
    if (!finding) throw new WebError('bad-request', 'Choose one of the message’s findings.');
    const line = await records.verdictLine(message.id);
    if (!line) throw new WebError('not-found', 'This message has no verdict on record (it may be older than the audit period).');
    await mark(user, line, finding.category, termOf(finding), reasonOf(request.body));
    return reply.code(303).redirect(`/quarantine/${encodeURIComponent(message.id)}?done=false-positive`);
  });

  app.get('/tuning', async (request, reply) => {
    const user = requireUser(request, 'tune');
    const choice = tuningChoice(request, context.now());
    const report = await tuningReport(user, choice);
    return sendPage(reply, tuningPage({ user, csrf: formToken(request), ...choice, terms: recentTerms(context.now(), TERMS_OFFERED), rows: report }));
  });

  app.get('/tuning.csv', async (request, reply) => {
    const user = requireUser(request, 'tune');
    const choice = tuningChoice(request, context.now());
    const report = await tuningReport(user, choice);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="false-positives-${choice.term.id}${choice.school ? `-${choice.school}` : ''}.csv"`)
      .type('text/csv; charset=utf-8')
      .send(tuningCsv(choice.term, report));
  });

  async function render(request: FastifyRequest, reply: FastifyReply, fields: ActivityFields, notice?: string) {
    const user = requireUser(request, 'activity');
    const records = recordsFor(context, user);
    const filter = activityFilter(fields);
    const [lines, total] = await Promise.all([
      records.listActivity({ ...filter, limit: ACTIVITY_PAGE_SIZE, offset: (fields.page - 1) * ACTIVITY_PAGE_SIZE }),
      records.countActivity(filter),
    ]);
    const marks = await context.store.falsePositives.among(lines.map((line) => line.verdictSeq ?? line.seq));
    return sendPage(reply, activityPage({ user, csrf: formToken(request), fields, lines, total, pageSize: ACTIVITY_PAGE_SIZE, marks, ...(notice ? { notice } : {}) }));
  }

  async function exportCsv(request: FastifyRequest, reply: FastifyReply, fields: ActivityFields) {
    const user = requireUser(request, 'activity');
    const lines = await recordsFor(context, user).listActivity({ ...activityFilter(fields), limit: ACTIVITY_CSV_ROWS });
    const marks = await context.store.falsePositives.among(lines.map((line) => line.verdictSeq ?? line.seq));
    // The lines name senders, so taking them out of the app is recorded, once per school they cover, as the register's CSV is.
    const schools = [...new Set(lines.map((line) => line.schoolId))].sort();
    const what = [
      fields.action,
      fields.category,
      fields.rule,
      fields.school,
      fields.sender ? 'one sender' : '',
      fields.since && `from ${fields.since}`,
      fields.until && `to ${fields.until}`,
    ]
      .filter(Boolean)
      .join(', ');
    const reason = `activity CSV, ${lines.length} ${lines.length === 1 ? 'line' : 'lines'}${what ? ` (${what})` : ''}`;
    const at = context.now();
    if (schools.length > 0) await context.store.audit.appendAll(schools.map((schoolId) => ({ kind: 'human', schoolId, actor: user.email, action: 'export', reason, at })));
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="activity-${londonDay(at)}.csv"`)
      .type('text/csv; charset=utf-8')
      .send(activityCsv(lines, marks));
  }

  async function mark(user: User, line: ActivityRecord, category: string, term: string | undefined, reason: string): Promise<void> {
    const ruleIds = rulesBehind(category, line.ruleIds, context.ruleSets?.().get(line.schoolId));
    const marked = await context.store.falsePositives.mark({ verdict: line, category, term, ruleIds, reason, actor: user.email, at: context.now() });
    if (!marked) throw new WebError('conflict', 'That finding is marked as a false positive already.');
  }

  async function tuningReport(user: User, choice: TuningChoice) {
    const records = recordsFor(context, user);
    const range = { ...termRange(choice.term), ...(choice.school ? { schoolIds: [choice.school] } : {}) };
    const [report, fired] = await Promise.all([records.tuning(range), records.firedPerRule(range)]);
    return tuningRows(report, fired);
  }
}

interface TuningChoice {
  readonly term: SchoolTerm;
  /** A school id, or '' for every school the user sees. */
  readonly school: string;
}

/** The term (`2026-autumn`, default the current one) and school the report is for. */
function tuningChoice(request: FastifyRequest, now: Date): TuningChoice {
  const query = request.query as Record<string, unknown>;
  const termId = typeof query.term === 'string' ? query.term : '';
  const term = termId ? parseTerm(termId) : recentTerms(now, 1)[0];
  if (!term) throw new WebError('bad-request', 'Unknown term: write it as 2026-autumn, 2027-spring or 2027-summer.');
  const fields = activityFields({ school: query.school });
  return { term, school: fields.school };
}

function reasonOf(body: unknown): string {
  const reason = field(body, 'reason');
  if (reason === '' || reason.length > MAX_REASON) throw new WebError('bad-request', `Say why it is wrong (up to ${MAX_REASON} characters): it goes in the audit log.`);
  return reason;
}

function doneNotice(query: unknown): string | undefined {
  const done = (query as Record<string, unknown> | undefined)?.done;
  return typeof done === 'string' && done in DONE ? DONE[done as keyof typeof DONE] : undefined;
}
