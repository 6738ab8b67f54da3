import { z } from 'zod';
import { categoriesMatching } from '../detect/categories.js';
import { SEVERITIES } from '../detect/finding.js';
import { UNREAD_REASONS, type UnreadReason } from '../message/message-view.js';
import { ACTIONS_BY_PROTECTION, ALERT_LEVELS, RECIPIENT_ROLES } from './verdict.js';

const PARTS = ['subject', 'body', 'attachment', 'attachment-name', 'recipients'] as const;

/** A category, or a family written `sensitive/*`. */
const categoryPattern = z.string().refine((pattern) => categoriesMatching(pattern).length > 0, {
  message: 'unknown finding category (src/detect/categories.ts lists them), or a family such as sensitive/*',
});

const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]).transform((value) => (Array.isArray(value) ? value : [value]) as z.output<T>[]);

export const findingConditionSchema = z.strictObject({
  category: oneOrMany(categoryPattern),
  part: oneOrMany(z.enum(PARTS)).optional(),
  'min-severity': z.enum(SEVERITIES).optional(),
  /** How many distinct findings must match; default 1. */
  'min-count': z.number().int().positive().optional(),
});

export const recipientsConditionSchema = z.strictObject({
  /** At least one recipient outside the school's domains (true), or none (false). */
  external: z.boolean().optional(),
  /** At least this many envelope recipients. */
  'min-count': z.number().int().positive().optional(),
  /** Every external recipient is a parent or carer (or the pupil) of a pupil the message names (true), or not (false). */
  'contacts-of-named-pupils': z.boolean().optional(),
});

export const senderConditionSchema = z.strictObject({
  /** The sender belongs to one of these staff groups (from the school's configuration). */
  group: oneOrMany(z.string().min(1)),
});

export type Condition =
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }
  | { readonly finding: z.output<typeof findingConditionSchema> }
  | { readonly recipients: z.output<typeof recipientsConditionSchema> }
  | { readonly sender: z.output<typeof senderConditionSchema> }
  | { readonly unread: readonly UnreadReason[] };

export const conditionSchema: z.ZodType<Condition, unknown> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
    z.strictObject({ finding: findingConditionSchema }),
    z.strictObject({ recipients: recipientsConditionSchema }),
    z.strictObject({ sender: senderConditionSchema }),
    /** Some attachment was left unread for this reason (or one of these): audio or video, an image OCR did not read. */
    z.strictObject({ unread: oneOrMany(z.enum(UNREAD_REASONS)) }),
  ]),
);

const notifySchema = z.union([
  z.enum(RECIPIENT_ROLES).transform((to) => ({ to, level: 'digest' as const })),
  z.strictObject({ to: z.enum(RECIPIENT_ROLES), level: z.enum(ALERT_LEVELS) }),
]);

/**
 * Whether the sender may set the rule aside themselves. For a `return` rule, `justification` offers "send it as
 * it is, because …" on the page the notice links to; for a `quarantine` rule, "ask for release, because …",
 * which only flags the held message for the DPO. `none` offers neither, and a rule that does not say is never
 * overridable. An `encrypt` or `deliver` rule stops nothing, so there it means nothing.
 */
export const OVERRIDE_MODES = ['justification', 'none'] as const;
export type OverrideMode = (typeof OVERRIDE_MODES)[number];

export const ruleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'ids are lower-case words joined by hyphens'),
  description: z.string().min(1),
  clause: z.string().min(1),
  reason: z.string().min(1).max(200),
  when: conditionSchema,
  action: z.enum(ACTIONS_BY_PROTECTION),
  notify: z.array(notifySchema).default([]),
  override: z.enum(OVERRIDE_MODES).optional(),
});

export type Rule = z.output<typeof ruleSchema>;

export const ruleFileSchema = z.strictObject({
  rules: z.array(ruleSchema).default([]),
  /** Ids of inherited rules this school switches off (tenant overrides only). */
  disable: z.array(z.string()).default([]),
});

export type RuleFile = z.output<typeof ruleFileSchema>;
