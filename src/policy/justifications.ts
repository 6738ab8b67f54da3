/**
 * The short lists a sender picks a reason from on the page their notice links to. The `value` is the reason's
 * category: it is what the DPO's alert carries (never the sender's own words, which may quote the message); the
 * `label` is what the sender reads; `category` is how the DPO's alert and pages name it.
 */
export const OVERRIDE_REASONS = [
  { value: 'false-alarm', label: 'It is a false alarm: nothing in it breaks the policy', category: 'false alarm' },
  { value: 'entitled', label: 'The recipients are entitled to exactly this information', category: 'recipients entitled to it' },
  { value: 'quotation', label: "It quotes someone's own words, as a record", category: 'a quotation kept as a record' },
  { value: 'urgent', label: 'It is urgent and cannot wait to be rewritten', category: 'urgent' },
  { value: 'other', label: 'Another reason (say it below)', category: 'another reason, in their own words' },
] as const;

export const RELEASE_REASONS = [
  { value: 'false-alarm', label: 'It is a false alarm: nothing in it breaks the policy', category: 'false alarm' },
  { value: 'entitled', label: 'The recipients are entitled to exactly this information', category: 'recipients entitled to it' },
  { value: 'agreed', label: 'The Data Protection Officer or my line manager agreed it', category: 'agreed by the DPO or a line manager' },
  { value: 'other', label: 'Another reason (say it below)', category: 'another reason, in their own words' },
] as const;

export type OverrideReasonCategory = (typeof OVERRIDE_REASONS)[number]['value'];

/** A sender's reason: the category they chose, and the reason as recorded (the line, and their words when given). */
export interface Justification {
  readonly category: OverrideReasonCategory;
  readonly reason: string;
}

/** How the DPO's alert names a reason's category. */
export function justificationCategory(value: OverrideReasonCategory): string {
  return OVERRIDE_REASONS.find((reason) => reason.value === value)?.category ?? value;
}
