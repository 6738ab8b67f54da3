/**
 * Loads and validates the corpus labels (fixtures/corpus/labels.yaml; its README says what each field
 * means). A bad entry fails the whole file, naming the entry, so that an evaluation never runs on
 * half its labels.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { categoryFacts, FINDING_CATEGORIES } from '../detect/categories.js';
import { ACTIONS_BY_PROTECTION } from '../policy/verdict.js';
import type { LabelledMessage } from './score.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

/** Where a finding can be (docs/architecture.md, "hallmonitor scan", `location.part`, plus the envelope). */
export const LABEL_PARTS = ['subject', 'body', 'attachment', 'attachment-name', 'recipients'] as const;

const attachmentPart = (part: string): boolean => part === 'attachment' || part === 'attachment-name';

const expectedFindingSchema = z
  .strictObject({
    category: z.enum(FINDING_CATEGORIES),
    part: z.enum(LABEL_PARTS),
    name: z.string().min(1).optional(),
    match: z.string().min(1).optional(),
    pupilId: z.string().min(1).optional(),
  })
  .refine((e) => attachmentPart(e.part) === (e.name !== undefined), {
    message: 'name is required for attachment and attachment-name parts, and only for them',
    path: ['name'],
  })
  // Whether `match` and `pupilId` are required is the catalogue's (`labelMatch`, `namesPupil`).
  .refine((e) => e.match !== undefined || categoryFacts(e.category).labelMatch === 'optional', {
    message: 'match is required for this category',
    path: ['match'],
  })
  .refine((e) => (categoryFacts(e.category).namesPupil === true) === (e.pupilId !== undefined), {
    message: 'pupilId is required for categories that name a pupil (pupil-name, recipients/misdirected), and only for them',
    path: ['pupilId'],
  });

const actionSchema = z.enum(ACTIONS_BY_PROTECTION);

const labelledMessageSchema = z.strictObject({
  file: z.string().regex(/\.eml$/, 'must name an .eml file'),
  envelope: z.strictObject({ from: z.string().min(1).optional(), rcpt: z.array(z.string().min(1)).min(1).optional() }).optional(),
  expect: z.array(expectedFindingSchema),
  verdict: z.union([actionSchema, z.array(actionSchema).min(1)]),
  notes: z.string().optional(),
});

/** labels.yaml cannot be used; `entry` names the offending entry where there is one. */
export class LabelsError extends HallmonitorError {
  readonly code = 'labels-invalid';
  readonly disposition = 'configuration';
  constructor(
    readonly file: string,
    readonly entry: string | undefined,
    problem: string,
  ) {
    super(`${file}${entry === undefined ? '' : ` ${entry}`}: ${problem}`);
    this.name = 'LabelsError';
  }
}

function entryName(index: number, raw: unknown): string {
  const file = (raw as { file?: unknown } | null)?.file;
  return `entry ${index + 1}${typeof file === 'string' ? ` (${file})` : ''}`;
}

function parseEntry(raw: unknown, index: number, fileLabel: string): LabelledMessage {
  const parsed = labelledMessageSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new LabelsError(fileLabel, entryName(index, raw), `${field}${issue?.message ?? 'invalid entry'}`);
}

/** Parses labels.yaml text; pure. Throws LabelsError naming the file and the entry. */
export function parseLabels(text: string, fileLabel: string): LabelledMessage[] {
  let document: unknown;
  try {
    document = parse(text, { uniqueKeys: true });
  } catch (error) {
    throw new LabelsError(fileLabel, undefined, `not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(document)) throw new LabelsError(fileLabel, undefined, 'expected a list of labelled messages');
  const labels = document.map((raw: unknown, index) => parseEntry(raw, index, fileLabel));
  const seen = new Set<string>();
  labels.forEach((label, index) => {
    if (seen.has(label.file)) throw new LabelsError(fileLabel, entryName(index, label), 'the file is labelled twice');
    seen.add(label.file);
  });
  return labels;
}

export async function loadLabels(path: string): Promise<LabelledMessage[]> {
  return parseLabels(await readFile(path, 'utf8'), path);
}
