/**
 * Loads and validates the corpus labels (fixtures/corpus/labels.yaml; its README says what each field
 * means). A bad entry fails the whole file, naming the entry, so that an evaluation never runs on
 * half its labels.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { FINDING_CATEGORIES } from '../detect/finding.js';
import { ACTIONS_BY_PROTECTION } from '../policy/verdict.js';
import type { LabelledMessage } from './score.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

/** Where a finding can be (CONTRACTS.md §1 `location.part`, plus the envelope). */
export const LABEL_PARTS = ['subject', 'body', 'attachment', 'attachment-name', 'recipients'] as const;

/**
 * Categories whose reported text the contract leaves to the detector, so a label may omit `match`:
 * attachment facts, the visible-bulk and chain-letter judgements, and the two personal-data kinds
 * whose span is a choice (an address with or without its street line; a sort code, an account
 * number, or both).
 */
export const MATCH_OPTIONAL_CATEGORIES: readonly string[] = [
  'attachment/executable',
  'attachment/password-protected',
  'attachment/bulk-personal-data',
  'attachment/unscannable',
  'recipients/visible-bulk',
  'content/chain-letter',
  'personal-data/address',
  'personal-data/bank-account',
];

/** The categories whose findings name a pupil and so must carry the pupil's roster id. */
const PUPIL_CATEGORIES: readonly string[] = ['pupil-name', 'recipients/misdirected'];

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
  .refine((e) => e.match !== undefined || MATCH_OPTIONAL_CATEGORIES.includes(e.category), {
    message: 'match is required for this category',
    path: ['match'],
  })
  .refine((e) => PUPIL_CATEGORIES.includes(e.category) === (e.pupilId !== undefined), {
    message: 'pupilId is required for pupil-name and recipients/misdirected, and only for them',
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
