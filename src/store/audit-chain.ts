import { createHash, createHmac } from 'node:crypto';

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

/**
 * How the chain's links are made. `hmac-sha256`: keyed with a key derived from the store's key, which is never
 * in the database, so whoever can write to the database cannot rewrite an entry and recompute the links after
 * it. `sha256`: unkeyed, as before the key was introduced; a database writer could rewrite it unnoticed.
 */
export type ChainKey = { readonly scheme: 'hmac-sha256'; readonly version: number; readonly key: Buffer } | { readonly scheme: 'sha256' };

export const UNKEYED: ChainKey = { scheme: 'sha256' };

/** `HMAC-SHA-256(key, prevHash ‖ canonical JSON of the entry)` (or unkeyed SHA-256), as lower-case hex. */
export function entryHash(prevHash: string, entry: ChainedEntry, chain: ChainKey = UNKEYED): string {
  const digest = chain.scheme === 'hmac-sha256' ? createHmac('sha256', chain.key) : createHash('sha256');
  return digest.update(prevHash, 'utf8').update(canonicalJson(entry), 'utf8').digest('hex');
}

/** The scheme as the store's meta row records it: `hmac-sha256:v1`, or `sha256`. */
export function chainLabel(chain: ChainKey): string {
  return chain.scheme === 'hmac-sha256' ? `hmac-sha256:v${chain.version}` : 'sha256';
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
