/**
 * The soak's proof, as a pure function over what was recorded: every message sent ends in exactly one
 * place — delivered at the next hop, held in quarantine, or refused and so still the sender's — and
 * nothing is delivered twice unless SMTP's at-least-once window explains it (RFC 5321 §6.1: a server
 * that took a message but whose 250 never reached the client will see it again).
 */

/** One try of one message: what the client was answered, or nothing when the connection failed or was lost. */
export interface Attempt {
  /** performance.now() in the soak process when the try began and ended; ±Infinity when the sender does not say (smtp-source). */
  readonly started: number;
  readonly ended: number;
  /** The final reply to the message; absent when the connection was refused or lost. */
  readonly code?: number;
}

/** The action a delivered, held or refused message shows that the gateway took. */
export type SeenAction = 'deliver' | 'encrypt' | 'quarantine' | 'return';

export interface SentMessage {
  /** Its Message-ID for the scripted client; `rcpt:` and its unique recipient for smtp-source's. */
  readonly key: string;
  readonly sender: 'client' | 'smtp-source';
  /** The actions the corpus labels (or a scan of the template) allow; absent when unknown. */
  readonly expected?: readonly SeenAction[];
  readonly attempts: readonly Attempt[];
}

/** One transaction the next hop accepted for a sent message. */
export interface Delivery {
  readonly key: string;
  readonly recipients: readonly string[];
  /** performance.now() when the next hop accepted the data. */
  readonly at: number;
  readonly encrypted: boolean;
}

export type Fate =
  | 'delivered'
  | 'quarantined'
  /** 5xx: returned to its sender, who still has it. */
  | 'returned'
  /** 4xx or no answer when the sender stopped trying: still the sender's. */
  | 'refused-for-now'
  /** The sender was told 2xx, yet it is neither delivered nor held. */
  | 'lost'
  /** Delivered and held, or refused with 5xx yet delivered or held. */
  | 'conflict';

export interface Accounting {
  readonly sent: number;
  readonly sentBy: Readonly<Record<SentMessage['sender'], number>>;
  readonly fates: Readonly<Record<Fate, number>>;
  /** The same, for smtp-source's messages alone (it never retries, so its 4xx'd messages stay its own). */
  readonly smtpSourceFates: Readonly<Record<Fate, number>>;
  readonly encrypted: number;
  /** Tries beyond each message's first, and the messages that needed any. */
  readonly retries: number;
  readonly retriedMessages: number;
  /** Copies beyond the first per message and recipient, explained by a failed try, and not. */
  readonly duplicates: { readonly explained: number; readonly unexplained: number };
  /** Quarantine records beyond the first per message. */
  readonly duplicateHolds: number;
  /** Messages whose fate is not an action their labels allow. */
  readonly verdictMismatches: readonly { readonly key: string; readonly seen: SeenAction; readonly expected: readonly SeenAction[] }[];
  /** The keys behind every failing figure, to look them up. */
  readonly failing: readonly { readonly key: string; readonly reason: string }[];
}

/**
 * How long after a failed try its gateway may still deliver: a client that timed out or lost its connection
 * does not stop a delivery already under way.
 */
export const LATE_DELIVERY_MILLIS = 10_000;

export function account(sent: readonly SentMessage[], deliveries: readonly Delivery[], holds: ReadonlyMap<string, number>): Accounting {
  const deliveriesByKey = groupBy(deliveries, (delivery) => delivery.key);
  const fates = noFates();
  const smtpSourceFates = noFates();
  const failing: { key: string; reason: string }[] = [];
  const verdictMismatches: Accounting['verdictMismatches'][number][] = [];
  let encrypted = 0;
  let explained = 0;
  let unexplained = 0;
  let duplicateHolds = 0;
  for (const message of sent) {
    const copies = deliveriesByKey.get(message.key) ?? [];
    const held = holds.get(message.key) ?? 0;
    duplicateHolds += Math.max(0, held - 1);
    if (held > 1) failing.push({ key: message.key, reason: `held ${held} times` });
    const fate = fateOf(message, copies.length > 0, held > 0);
    fates[fate] += 1;
    if (message.sender === 'smtp-source') smtpSourceFates[fate] += 1;
    if (fate === 'lost' || fate === 'conflict') failing.push({ key: message.key, reason: fate });
    const isEncrypted = fate === 'delivered' && copies.some((copy) => copy.encrypted);
    if (isEncrypted) encrypted += 1;
    const extra = unexplainedCopies(copies, message.attempts);
    explained += extra.duplicates - extra.unexplained;
    unexplained += extra.unexplained;
    if (extra.unexplained > 0) failing.push({ key: message.key, reason: `${extra.unexplained} delivery(ies) no try explains` });
    const seen = seenAction(fate, isEncrypted);
    if (seen && message.expected && !message.expected.includes(seen)) verdictMismatches.push({ key: message.key, seen, expected: message.expected });
  }
  const retriedMessages = sent.filter((message) => message.attempts.length > 1).length;
  return {
    sent: sent.length,
    sentBy: { client: sent.filter((message) => message.sender === 'client').length, 'smtp-source': sent.filter((message) => message.sender === 'smtp-source').length },
    fates,
    smtpSourceFates,
    encrypted,
    retries: sent.reduce((sum, message) => sum + Math.max(0, message.attempts.length - 1), 0),
    retriedMessages,
    duplicates: { explained, unexplained },
    duplicateHolds,
    verdictMismatches,
    failing,
  };
}

function noFates(): Record<Fate, number> {
  return { delivered: 0, quarantined: 0, returned: 0, 'refused-for-now': 0, lost: 0, conflict: 0 };
}

/** Lost, conflicting, held twice or delivered twice without a failed try to explain it. */
export function proofFails(accounting: Accounting): boolean {
  return accounting.failing.length > 0;
}

export function fateOf(message: SentMessage, delivered: boolean, held: boolean): Fate {
  const last = message.attempts.at(-1)?.code;
  const refusedForGood = last !== undefined && last >= 500;
  if ((delivered && held) || (refusedForGood && (delivered || held))) return 'conflict';
  if (delivered) return 'delivered';
  if (held) return 'quarantined';
  if (last !== undefined && last < 300) return 'lost';
  return refusedForGood ? 'returned' : 'refused-for-now';
}

function seenAction(fate: Fate, encrypted: boolean): SeenAction | undefined {
  if (fate === 'delivered') return encrypted ? 'encrypt' : 'deliver';
  if (fate === 'quarantined') return 'quarantine';
  return fate === 'returned' ? 'return' : undefined;
}

/**
 * Each copy a recipient received must fall within a distinct try of the message: the one the client was
 * answered 2xx for, or one that failed (4xx, lost connection) after the next hop had already taken it.
 * A copy no try can account for is unexplained; so are copies beyond the tries there were.
 */
export function unexplainedCopies(copies: readonly Delivery[], attempts: readonly Attempt[]): { duplicates: number; unexplained: number } {
  let duplicates = 0;
  let unexplained = 0;
  const byRecipient = new Map<string, number[]>();
  for (const copy of copies) for (const recipient of copy.recipients) byRecipient.set(recipient, [...(byRecipient.get(recipient) ?? []), copy.at]);
  for (const times of byRecipient.values()) {
    duplicates += times.length - 1;
    const used = new Set<number>();
    for (const at of times.sort((a, b) => a - b)) {
      const index = attempts.findIndex((attempt, candidate) => !used.has(candidate) && within(at, attempt));
      if (index < 0) unexplained += 1;
      else used.add(index);
    }
  }
  return { duplicates, unexplained };
}

function within(at: number, attempt: Attempt): boolean {
  const succeeded = attempt.code !== undefined && attempt.code < 300;
  return at >= attempt.started && at <= attempt.ended + (succeeded ? 0 : LATE_DELIVERY_MILLIS);
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}
