import { randomInt } from 'node:crypto';
import { domainOf } from '../message/addresses.js';

/** No 0/O, 1/I/L, 2/Z, 5/S, 8/B: letters and digits that cannot be misheard or misread over the phone. */
const ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';
const GROUPS = 6;
const GROUP_LENGTH = 4;

/** log2(25) × 24 ≈ 111 bits of entropy: beyond guessing even without the memory-hard KDF. */
export const PASSPHRASE_ENTROPY_BITS = Math.log2(ALPHABET.length) * GROUPS * GROUP_LENGTH;

/** A fresh passphrase such as `K7QX-MHTA-9CEW-YRJ4-PN3D-VAFU`, easy to read out by phone or text. */
export function generatePassphrase(): string {
  const groups: string[] = [];
  for (let group = 0; group < GROUPS; group += 1) {
    let text = '';
    for (let index = 0; index < GROUP_LENGTH; index += 1) text += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(text);
  }
  return groups.join('-');
}

/**
 * The passphrase agreed in advance with a partner agency, for an exact recipient address first,
 * then for the recipient's domain; keys match without regard to case. Undefined: generate one.
 */
export function preAgreedPassphrase(preAgreed: Readonly<Record<string, string>>, recipient: string): string | undefined {
  const byKey = new Map(Object.entries(preAgreed).map(([key, value]) => [key.toLowerCase(), value]));
  const address = recipient.toLowerCase();
  return byKey.get(address) ?? byKey.get(domainOf(address));
}
