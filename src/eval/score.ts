/**
 * Scores a scanner's output against the labelled corpus (fixtures/corpus/labels.yaml): precision and
 * recall per finding category, and how often the verdict is one the labels accept.
 *
 * Matching rule: an actual finding meets an expected one when the category, the part, the attachment
 * name (if any) and the matched text are equal, and the pupil id too when the label gives one. Texts
 * are compared after `normaliseMatch`. A label without `match` is met by any text: the contract leaves
 * what such findings report (attachment facts, visible bulk recipients, chain letters…) to the detector.
 * Each distinct finding counts once however often it is reported, and an expected finding is one
 * true positive however many actual findings meet it.
 */
import { FINDING_CATEGORIES } from '../detect/categories.js';

export interface ExpectedFinding {
  category: string;
  /** `subject`, `body`, `attachment`, `attachment-name` or `recipients`. */
  part: string;
  /** The attachment path, for `attachment` and `attachment-name`. */
  name?: string;
  /** The text as written; absent where any text will do. */
  match?: string;
  /** The roster id the finding must carry, for `pupil-name` and `recipients/misdirected`. */
  pupilId?: string;
}

export interface LabelledMessage {
  file: string;
  /** Where the headers do not give it (e.g. Bcc recipients). */
  envelope?: { from?: string; rcpt?: string[] };
  expect: readonly ExpectedFinding[];
  /** The action, or the actions, a reasonable default policy may reach. */
  verdict: string | readonly string[];
  notes?: string;
}

/** One finding as the scanner reports it (the `hallmonitor scan --json` shape). */
export interface ActualFinding {
  category: string;
  location: { part: string; name?: string };
  match: string;
  pupilId?: string;
}

/** What the scanner made of one message. */
export interface ScanOutcome {
  findings: readonly ActualFinding[];
  verdict: { action: string };
}

export interface CategoryScore {
  category: string;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** TP / (TP + FP); 1 when nothing was reported. */
  precision: number;
  /** TP / (TP + FN); 1 when nothing was expected. */
  recall: number;
}

/** A finding in a report: which message, what, where, and the text (absent for "any text" labels). */
export interface FindingRef {
  file: string;
  category: string;
  part: string;
  name?: string;
  match?: string;
}

export interface VerdictMismatch {
  file: string;
  expected: string[];
  /** The action reached, or `NOT_SCANNED` when the scanner gave nothing for the file. */
  actual: string;
}

export interface EvalReport {
  /** Categories that were expected or reported, in the order of docs/architecture.md's category table. */
  categories: CategoryScore[];
  /** All categories together (micro-averaged). */
  overall: CategoryScore;
  verdictAgreement: { correct: number; total: number; mismatches: VerdictMismatch[] };
  /** Expected findings the scanner did not report. */
  misses: FindingRef[];
  /** Reported findings no label expects. */
  falseAlarms: FindingRef[];
}

export const NOT_SCANNED = '(not scanned)';

const APOSTROPHES = /[\u2018\u2019\u201B\u02BC\u02B9\u0060\u00B4\u2032]/g;
const HONORIFIC = /^(?:dr|mr|mrs|ms|miss|mx|prof)\.? /;
const POSSESSIVE = /'s?$/;

/**
 * The form in which matched texts are compared: Unicode NFC, every apostrophe as `'`, whitespace
 * collapsed (names break across lines), case-folded, without a leading title ("Dr Priya Raman") or a
 * trailing possessive ("Hope Young's", "Jones'"), which say nothing about whether the name was found.
 */
export function normaliseMatch(text: string): string {
  return text.normalize('NFC').replace(APOSTROPHES, "'").replace(/\s+/g, ' ').trim().toLowerCase().replace(HONORIFIC, '').replace(POSSESSIVE, '');
}

/** A finding reduced to what matching compares. */
interface Key {
  readonly category: string;
  readonly part: string;
  readonly name: string | undefined;
  readonly match: string | undefined;
  readonly pupilId: string | undefined;
}

function keyString(k: Key): string {
  return JSON.stringify([k.category, k.part, k.name ?? null, k.match ?? null, k.pupilId ?? null]);
}

function distinct(keys: readonly Key[]): Key[] {
  return [...new Map(keys.map((k) => [keyString(k), k])).values()];
}

function expectedKey(e: ExpectedFinding): Key {
  return {
    category: e.category,
    part: e.part,
    name: e.name?.normalize('NFC'),
    match: e.match === undefined ? undefined : normaliseMatch(e.match),
    pupilId: e.pupilId,
  };
}

function actualKey(a: ActualFinding): Key {
  return {
    category: a.category,
    part: a.location.part,
    name: a.location.name?.normalize('NFC'),
    match: normaliseMatch(a.match),
    pupilId: a.pupilId,
  };
}

function meets(actual: Key, expected: Key): boolean {
  return (
    actual.category === expected.category &&
    actual.part === expected.part &&
    actual.name === expected.name &&
    (expected.match === undefined || actual.match === expected.match) &&
    (expected.pupilId === undefined || actual.pupilId === expected.pupilId)
  );
}

interface Tally {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 1 : numerator / denominator;
}

function toScore(category: string, t: Tally): CategoryScore {
  return {
    category,
    ...t,
    precision: ratio(t.truePositives, t.truePositives + t.falsePositives),
    recall: ratio(t.truePositives, t.truePositives + t.falseNegatives),
  };
}

function refOf(file: string, k: Key, match: string | undefined): FindingRef {
  return {
    file,
    category: k.category,
    part: k.part,
    ...(k.name === undefined ? {} : { name: k.name }),
    ...(match === undefined ? {} : { match }),
  };
}

/** the order of docs/architecture.md's category table first, then any other category (a typo, an experiment) alphabetically. */
function byContractOrder(a: string, b: string): number {
  const rank = (c: string): number => {
    const i = (FINDING_CATEGORIES as readonly string[]).indexOf(c);
    return i === -1 ? FINDING_CATEGORIES.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

interface MessageResult {
  readonly hits: readonly Key[];
  readonly misses: readonly FindingRef[];
  readonly falseAlarms: readonly FindingRef[];
}

function scoreMessage(label: LabelledMessage, outcome: ScanOutcome | undefined): MessageResult {
  const expected = distinct(label.expect.map(expectedKey));
  const written = new Map((outcome?.findings ?? []).map((a) => [keyString(actualKey(a)), a.match]));
  const actual = distinct((outcome?.findings ?? []).map(actualKey));
  const originalText = new Map(label.expect.map((e) => [keyString(expectedKey(e)), e.match]));
  return {
    hits: expected.filter((e) => actual.some((a) => meets(a, e))),
    misses: expected.filter((e) => !actual.some((a) => meets(a, e))).map((e) => refOf(label.file, e, originalText.get(keyString(e)))),
    falseAlarms: actual.filter((a) => !expected.some((e) => meets(a, e))).map((a) => refOf(label.file, a, written.get(keyString(a)))),
  };
}

function acceptedActions(label: LabelledMessage): string[] {
  return typeof label.verdict === 'string' ? [label.verdict] : [...label.verdict];
}

export function scoreCorpus(labels: readonly LabelledMessage[], actual: ReadonlyMap<string, ScanOutcome>): EvalReport {
  const tallies = new Map<string, Tally>();
  const tally = (category: string): Tally => {
    const existing = tallies.get(category);
    if (existing) return existing;
    const fresh = { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
    tallies.set(category, fresh);
    return fresh;
  };
  const misses: FindingRef[] = [];
  const falseAlarms: FindingRef[] = [];
  const mismatches: VerdictMismatch[] = [];

  for (const label of labels) {
    const outcome = actual.get(label.file);
    const result = scoreMessage(label, outcome);
    for (const hit of result.hits) tally(hit.category).truePositives += 1;
    for (const miss of result.misses) tally(miss.category).falseNegatives += 1;
    for (const alarm of result.falseAlarms) tally(alarm.category).falsePositives += 1;
    misses.push(...result.misses);
    falseAlarms.push(...result.falseAlarms);
    const expected = acceptedActions(label);
    const reached = outcome?.verdict.action ?? NOT_SCANNED;
    if (!expected.includes(reached)) mismatches.push({ file: label.file, expected, actual: reached });
  }

  const categories = [...tallies.keys()].sort(byContractOrder).map((c) => toScore(c, tally(c)));
  const sum = (field: keyof Tally): number => categories.reduce((n, c) => n + c[field], 0);
  return {
    categories,
    overall: toScore('all', { truePositives: sum('truePositives'), falsePositives: sum('falsePositives'), falseNegatives: sum('falseNegatives') }),
    verdictAgreement: { correct: labels.length - mismatches.length, total: labels.length, mismatches },
    misses,
    falseAlarms,
  };
}

// ---------------------------------------------------------------- the plain-text report

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
}

function scoreTable(report: EvalReport): string[] {
  const header = ['category', 'TP', 'FP', 'FN', 'precision', 'recall'];
  const rows = [...report.categories, report.overall].map((s) => [
    s.category,
    String(s.truePositives),
    String(s.falsePositives),
    String(s.falseNegatives),
    s.precision.toFixed(3),
    s.recall.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const lines = [header, ...rows].map((r) => row(r, widths));
  lines.splice(lines.length - 1, 0, '-'.repeat(lines[0]?.length ?? 0));
  return [...lines, '(precision is 1.000 when nothing was reported, recall is 1.000 when nothing was expected)'];
}

function describe(ref: FindingRef): string {
  const where = ref.name === undefined ? ref.part : `${ref.part} ${JSON.stringify(ref.name)}`;
  const what = ref.match === undefined ? '(any text)' : JSON.stringify(ref.match);
  return `  ${ref.file}  ${ref.category}  ${where}  ${what}`;
}

/**
 * A plain report for developers: the score table, verdict agreement, then every miss and false alarm
 * as file, category, part and text. It prints matched text, which is fine for the invented fixture
 * corpus this tool runs on and must not be used on real mail.
 */
export function formatReport(report: EvalReport): string {
  const { correct, total, mismatches } = report.verdictAgreement;
  return [
    ...scoreTable(report),
    '',
    `verdicts: ${correct}/${total} agree`,
    ...mismatches.map((m) => `  ${m.file}  expected ${m.expected.join(' or ')}, got ${m.actual}`),
    '',
    `misses (${report.misses.length}):`,
    ...report.misses.map(describe),
    '',
    `false alarms (${report.falseAlarms.length}):`,
    ...report.falseAlarms.map(describe),
    '',
  ].join('\n');
}
