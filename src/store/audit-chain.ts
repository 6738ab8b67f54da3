import { createHash } from 'node:crypto';

/** The `prevHash` of the first entry ever written. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Exactly what an entry's hash covers: every stored column except the hashes, with the categories
 * and rule ids from their child tables, so that altering any of them breaks the chain.
 */
export interface ChainedEntry {
  readonly seq: number;
  readonly at: string;
  readonly schoolId: string;
  readonly kind: string;
  readonly action: string;
  readonly messageId: string | null;
  readonly actor: string | null;
  readonly reason: string | null;
  readonly sender: string | null;
  readonly recipientDomains: readonly string[] | null;
  readonly recipientCount: number | null;
  readonly scanMs: number | null;
  readonly actMs: number | null;
  readonly replyCode: number | null;
  readonly ruleIds: readonly string[];
  readonly categories: Readonly<Record<string, number>>;
}

/** `sha256(prevHash ‖ canonical JSON of the entry)`, as lower-case hex. */
export function entryHash(prevHash: string, entry: ChainedEntry): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalJson(entry), 'utf8').digest('hex');
}

/** JSON with object keys sorted at every depth, so the same entry always hashes the same, whatever built it. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
