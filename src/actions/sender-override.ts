import type { Justification } from '../policy/justifications.js';
import { overrideAlert } from '../queue/override-alert.js';
import type { SmtpReply } from '../smtp/spooled-message.js';
import type { AlertInbox } from '../store/alert-inbox.js';
import type { ReturnedMessage } from '../store/returned-store.js';
import type { Store } from '../store/store.js';
import type { AlertSettings } from './action-dependencies.js';
import { deliverStored, type ReleaseDependencies } from './quarantine-decisions.js';

export interface OverrideDependencies extends Omit<ReleaseDependencies, 'store'> {
  readonly store: Pick<Store, 'returned'>;
  /** Who is told of an override, and how: the DPO, always, in the alerts inbox and by email where they have an address. */
  readonly overrideAlerts: OverrideAlertSettings;
}

export interface OverrideAlertSettings extends AlertSettings {
  readonly alertInbox: Pick<AlertInbox, 'record'>;
  /** A school's rule as it reads now (its description and policy clause), for the alert; undefined for a rule no longer there. */
  describeRule(schoolId: string, ruleId: string): { readonly description: string; readonly clause: string } | undefined;
  /** The school's name for people, where the configuration gives one. */
  schoolName?(schoolId: string): string | undefined;
}

/** What became of a sender's "send it as it is". */
export type OverrideOutcome =
  /** `dpoTold`: the DPO's alert is recorded (and emailed where they have an address); false when the inbox or queue failed. */
  | { readonly kind: 'sent'; readonly encrypted: boolean; readonly dpoTold: boolean }
  /** The link was used already, has expired, or the message is no longer kept: nothing was sent. */
  | { readonly kind: 'unavailable' }
  /** The next hop did not take it; the link may be used again while it lasts. */
  | { readonly kind: 'not-taken'; readonly reply: SmtpReply };

/**
 * A returned message sent as it was, because its sender said why. The claim comes first (one use of the link
 * wins, the others find it taken), then the message goes through the same next hop as a release, encrypted when a
 * rule that fired wanted it so; only once the next hop took it is it `sent`, with the reason in the audit log and
 * the sealed copy destroyed. Anything short of that puts it back, so the sender can try again while the link lasts.
 * Once sent, the DPO is told (`tellDpo`).
 */
export async function sendAsItWas(deps: OverrideDependencies, id: string, justification: Justification, now: Date): Promise<OverrideOutcome> {
  if (!(await deps.store.returned.claimOverride(id, now))) return { kind: 'unavailable' };
  let reply: SmtpReply;
  let message: ReturnedMessage;
  try {
    message = await deps.store.returned.open(id);
    reply = await deliverStored(deps, message, { encrypt: message.encrypt });
  } catch (error) {
    await deps.store.returned.finishOverride(id, { delivered: false, justification: justification.reason, at: now, how: 'failed' });
    throw error;
  }
  const delivered = reply.code === 250;
  await deps.store.returned.finishOverride(id, { delivered, justification: justification.reason, at: now, how: message.encrypt ? 'encrypted' : 'as sent' });
  if (!delivered) return { kind: 'not-taken', reply };
  return { kind: 'sent', encrypted: message.encrypt, dpoTold: await tellDpo(deps, message, justification, now) };
}

/**
 * The DPO's alert for the override: which rules, who, when and the category of the reason, never the message or the
 * sender's words. Recorded in the inbox first (it holds every alert, addressed or not), then queued. The message has
 * gone by now, so a failure here cannot undo it: it is reported as `false`, and the audit entry and the overrides
 * page still hold the override.
 */
async function tellDpo(deps: Pick<OverrideDependencies, 'overrideAlerts' | 'mail'>, message: ReturnedMessage, justification: Justification, now: Date): Promise<boolean> {
  const settings = deps.overrideAlerts;
  const rules = message.returnedBy.map((ruleId) => ({
    id: ruleId,
    ...(settings.describeRule(message.schoolId, ruleId) ?? { description: '(a rule no longer in force)', clause: '' }),
  }));
  const alert = overrideAlert(
    {
      school: { id: message.schoolId, name: settings.schoolName?.(message.schoolId) },
      messageId: message.id,
      overriddenAt: now,
      sender: message.from,
      recipients: message.rcpt,
      rules,
      category: justification.category,
      encrypted: message.encrypt,
      reviewBaseUrl: settings.reviewBaseUrl,
    },
    settings.recipientsFor(message.schoolId),
  );
  try {
    await settings.alertInbox.record([alert.inbox]);
    if (alert.mail) await deps.mail.enqueue(alert.mail);
    return true;
  } catch {
    return false;
  }
}
