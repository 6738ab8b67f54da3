import type { SmtpReply } from '../smtp/spooled-message.js';
import type { Store } from '../store/store.js';
import { deliverStored, type ReleaseDependencies } from './quarantine-decisions.js';

export interface OverrideDependencies extends Omit<ReleaseDependencies, 'store'> {
  readonly store: Pick<Store, 'returned'>;
}

/** What became of a sender's "send it as it is". */
export type OverrideOutcome =
  | { readonly kind: 'sent'; readonly encrypted: boolean }
  /** The link was used already, has expired, or the message is no longer kept: nothing was sent. */
  | { readonly kind: 'unavailable' }
  /** The next hop did not take it; the link may be used again while it lasts. */
  | { readonly kind: 'not-taken'; readonly reply: SmtpReply };

/**
 * A returned message sent as it was, because its sender said why. The claim comes first (one use of the link
 * wins, the others find it taken), then the message goes through the same next hop as a release, encrypted when a
 * rule that fired wanted it so; only once the next hop took it is it `sent`, with the reason in the audit log and
 * the sealed copy destroyed. Anything short of that puts it back, so the sender can try again while the link lasts.
 */
export async function sendAsItWas(deps: OverrideDependencies, id: string, justification: string, now: Date): Promise<OverrideOutcome> {
  if (!(await deps.store.returned.claimOverride(id, now))) return { kind: 'unavailable' };
  let reply: SmtpReply;
  let encrypted = false;
  try {
    const message = await deps.store.returned.open(id);
    encrypted = message.encrypt;
    reply = await deliverStored(deps, message, { encrypt: encrypted });
  } catch (error) {
    await deps.store.returned.finishOverride(id, { delivered: false, justification, at: now, how: 'failed' });
    throw error;
  }
  const delivered = reply.code === 250;
  await deps.store.returned.finishOverride(id, { delivered, justification, at: now, how: encrypted ? 'encrypted' : 'as sent' });
  return delivered ? { kind: 'sent', encrypted } : { kind: 'not-taken', reply };
}
