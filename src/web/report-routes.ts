import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FINDING_CATEGORIES } from '../detect/finding.js';
import { loadRuleSet } from '../policy/load-rules.js';
import type { RuleSet } from '../policy/decide.js';
import { ACTIONS_BY_PROTECTION } from '../policy/verdict.js';
import { DEFAULT_RULES_DIRECTORY } from '../package-root.js';
import type { IncidentFilter } from '../store/incident-register.js';
import { incidentsCsv } from '../store/incidents-csv.js';
import { ID } from './activity-filter.js';
import { dashboardPage, TRAINING_THRESHOLD } from './dashboard-page.js';
import { registerPage } from './register-page.js';
import { rulesPage } from './rules-page.js';
import { formToken, inScope, recordsFor, requireUser, sendPage, type WebContext } from './web-context.js';
import { WebError } from './web-error.js';
import { parseTerm, recentTerms, termRange, type SchoolTerm } from './school-terms.js';
import { londonDailyCounts, weeklyCounts, weekRange, weeksCovering } from './weekly-counts.js';

/** The dashboard covers this many weeks. */
export const DASHBOARD_WEEKS = 8;
/** The register page shows at most this many rows; the CSV has them all. */
export const REGISTER_PAGE_ROWS = 500;
/** How many senders `topSenders` is asked for before the training threshold is applied. */
const SENDER_WINDOW = 100;
const DAY_MS = 24 * 60 * 60 * 1000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** How many school terms the dashboard offers, the current one first. */
const TERMS_OFFERED = 6;

export interface ReportContext extends WebContext {
  /**
   * Each school's active rules by school id, read at every request so a reload of the schools shows at once.
   * Without it `/rules` shows the shipped default rules and says so.
   */
  readonly ruleSets?: () => ReadonlyMap<string, RuleSet>;
}

/** `/dashboard`, `/register`, `/register.csv` and `/rules`: counts, the near-miss register and the rules; no content. */
export async function reportRoutes(app: FastifyInstance, context: ReportContext): Promise<void> {
  let shippedRules: Promise<ReadonlyMap<string, RuleSet>> | undefined;

  app.get('/dashboard', async (request, reply) => {
    const user = requireUser(request, 'dashboard');
    const records = recordsFor(context, user);
    const now = context.now();
    const choice = dashboardChoice(request);
    const schools = choice.school ? { schoolIds: [choice.school] } : {};
    const period = dashboardPeriod(choice.term, now);
    const range = { since: period.since, until: period.until, ...schools };
    const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const [daily, topRules, senders, underADay, oneToSevenDays, overSevenDays, overridesPerRule, bySchool] = await Promise.all([
      // A term is counted by London days: hours fold into them exactly, UTC days would not.
      choice.term ? records.countsByHour(range).then(londonDailyCounts) : records.countsByDay(range),
      records.topRules(range, 10),
      records.topSenders(range, SENDER_WINDOW),
      // Counted in the store rather than listed: `list` pages, and a backlog is exactly when the count matters.
      records.countQuarantine({ status: 'held', since: ago(1), ...schools }),
      records.countQuarantine({ status: 'held', since: ago(7), until: ago(1), ...schools }),
      records.countQuarantine({ status: 'held', until: ago(7), ...schools }),
      records.overridesPerRule(range),
      records.countsBySchool(range),
    ]);
    return sendPage(
      reply,
      dashboardPage({
        user,
        csrf: formToken(request),
        period: period.label,
        term: choice.term?.id ?? '',
        school: choice.school,
        terms: recentTerms(now, TERMS_OFFERED),
        verdicts: weeklyCounts(daily.verdicts, period.firstWeek, period.weeks, ACTIONS_BY_PROTECTION),
        // Only the categories found in the period get a column: there are too many for a readable table otherwise.
        findings: weeklyCounts(
          daily.findings,
          period.firstWeek,
          period.weeks,
          FINDING_CATEGORIES.filter((category) => daily.findings.some((row) => row.category === category)),
        ),
        bySchool,
        topRules,
        trainingSenders: senders.filter((sender) => sender.stopped >= TRAINING_THRESHOLD),
        heldByAge: { underADay, oneToSevenDays, overSevenDays },
        overridesPerRule,
      }),
    );
  });

  app.get('/register', async (request, reply) => {
    const user = requireUser(request, 'register');
    const dates = registerDates(request);
    const rows = await recordsFor(context, user).incidents({ ...dates.filter, limit: REGISTER_PAGE_ROWS + 1 });
    return sendPage(
      reply,
      registerPage({
        user,
        csrf: formToken(request),
        since: dates.since,
        until: dates.until,
        rows: rows.slice(0, REGISTER_PAGE_ROWS),
        truncated: rows.length > REGISTER_PAGE_ROWS,
        query: dates.query,
      }),
    );
  });

  app.get('/register.csv', async (request, reply) => {
    const user = requireUser(request, 'register');
    const dates = registerDates(request);
    const rows = await recordsFor(context, user).incidents(dates.filter);
    // The register names senders, so taking it out of the app is recorded, once per school it covers.
    const schools = [...new Set(rows.map((row) => row.schoolId))].sort();
    const reason = `near-miss register CSV, ${rows.length} ${rows.length === 1 ? 'row' : 'rows'}${dates.since ? ` from ${dates.since}` : ''}${dates.until ? ` to ${dates.until}` : ''}`;
    const at = context.now();
    if (schools.length > 0) await context.store.audit.appendAll(schools.map((schoolId) => ({ kind: 'human', schoolId, actor: user.email, action: 'export', reason, at })));
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="near-miss-register${dates.since ? `-${dates.since}` : ''}${dates.until ? `-to-${dates.until}` : ''}.csv"`)
      .type('text/csv; charset=utf-8')
      .send(incidentsCsv(rows));
  });

  app.get('/rules', async (request, reply) => {
    const user = requireUser(request, 'list');
    const given = context.ruleSets?.();
    // Loaded once, on first use: the shipped files do not change while the process runs. They are every
    // school's base, so every user sees them; a school's own rules only its users and the trust's.
    const ruleSets = given ? new Map([...given].filter(([schoolId]) => inScope(user, schoolId))) : await (shippedRules ??= shippedRuleSets());
    return sendPage(reply, rulesPage({ user, csrf: formToken(request), ruleSets, defaults: given === undefined }));
  });
}

/** The rules Hallmonitor ships with, as school `default`'s. */
async function shippedRuleSets(): Promise<ReadonlyMap<string, RuleSet>> {
  return new Map([['default', await loadRuleSet(DEFAULT_RULES_DIRECTORY)]]);
}

/** The dashboard's term (`2026-autumn`; none: the last eight weeks) and school (an id; none: every school the user sees). */
function dashboardChoice(request: FastifyRequest): { term: SchoolTerm | undefined; school: string } {
  const query = request.query as Record<string, unknown>;
  const termId = typeof query.term === 'string' ? query.term.trim() : '';
  const term = termId ? parseTerm(termId) : undefined;
  if (termId && !term) throw new WebError('bad-request', 'Unknown term: write it as 2026-autumn, 2027-spring or 2027-summer.');
  const school = typeof query.school === 'string' ? query.school.trim() : '';
  if (school && !ID.test(school)) throw new WebError('bad-request', 'Unknown school.');
  return { term, school };
}

/**
 * The instants the dashboard counts between, the first day of its first week as the chart labels it, and how many
 * weeks: a school term's London days, in weeks from its first day; or the last eight whole UTC weeks.
 */
function dashboardPeriod(term: SchoolTerm | undefined, now: Date): { since: Date; until: Date; firstWeek: Date; weeks: number; label: string } {
  if (!term) {
    const range = weekRange(now, DASHBOARD_WEEKS);
    return { ...range, firstWeek: range.since, weeks: DASHBOARD_WEEKS, label: `the last ${DASHBOARD_WEEKS} weeks (UTC)` };
  }
  return {
    ...termRange(term),
    firstWeek: new Date(`${term.firstDay}T00:00:00.000Z`),
    weeks: weeksCovering(term.firstDay, term.lastDay),
    label: `${term.label}, ${term.firstDay} to ${term.lastDay} (UK dates)`,
  };
}

/** The register's date filter from the query: `since` and `until` are whole UTC days, `until` inclusive. */
function registerDates(request: FastifyRequest): { since: string; until: string; filter: IncidentFilter; query: string } {
  const query = request.query as Record<string, unknown>;
  const get = (name: string) => (typeof query[name] === 'string' ? query[name].trim() : '');
  const since = get('since');
  const until = get('until');
  for (const day of [since, until]) if (day && (!DAY.test(day) || Number.isNaN(Date.parse(day)))) throw new WebError('bad-request', 'Dates are written YYYY-MM-DD.');
  const params = new URLSearchParams();
  if (since) params.set('since', since);
  if (until) params.set('until', until);
  const text = params.toString();
  return {
    since,
    until,
    filter: {
      ...(since ? { since: new Date(`${since}T00:00:00.000Z`) } : {}),
      ...(until ? { until: new Date(Date.parse(`${until}T00:00:00.000Z`) + DAY_MS) } : {}),
    },
    query: text ? `?${text}` : '',
  };
}
