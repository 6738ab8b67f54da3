import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/*
 * Passwords (review-app accounts and SMTP AUTH) are stored as `scrypt$N$r$p$<salt base64>$<key base64>`:
 * the cost travels with the hash, so it can be raised without breaking hashes already written, and a hash
 * below today's cost is found (`needsRehash`) and replaced at the next successful sign-in.
 */

/** OWASP Password Storage Cheat Sheet (2025): scrypt with N=2^17, r=8, p=1 at least. 128 MiB per hash. */
export const PASSWORD_COST = { N: 2 ** 17, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
/**
 * The most memory one hash may take (scrypt needs 128·N·r bytes): twice today's cost. A stored hash that asks
 * for more (a tampered row, a typo in a config file) never matches rather than exhausting the machine.
 */
export const MAX_SCRYPT_MEMORY = 2 * 128 * PASSWORD_COST.N * PASSWORD_COST.r + 1024 * 1024;

interface ParsedHash {
  readonly cost: { readonly N: number; readonly r: number; readonly p: number };
  readonly salt: Buffer;
  readonly key: Buffer;
}

function deriveKey(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { ...options, maxmem: MAX_SCRYPT_MEMORY }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** An scrypt cost: the parameters a hash is made with, written into it. */
export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * Hashing at one cost. The gateway always hashes at PASSWORD_COST (`OWASP_HASHING`); nothing in the
 * configuration lowers it. Tests of page flows build a cheaper one, so that a sign-in takes milliseconds
 * rather than 128 MiB and a second; the tests of hashing and of the upgrade at sign-in use the real cost.
 */
export class PasswordHashing {
  #placeholder: Promise<string> | undefined;

  constructor(readonly cost: ScryptCost = PASSWORD_COST) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await deriveKey(password, salt, KEY_LENGTH, this.cost);
    const { N, r, p } = this.cost;
    return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  /** True only for a well-formed hash of this password; a malformed hash, or one beyond the memory bound, never matches. */
  async verify(password: string, stored: string): Promise<boolean> {
    const parsed = parseHash(stored);
    if (!parsed) return false;
    try {
      const actual = await deriveKey(password, parsed.salt, parsed.key.length, parsed.cost);
      return timingSafeEqual(actual, parsed.key);
    } catch {
      return false;
    }
  }

  /** Whether a stored hash is below this cost (or not one of ours): replace it once the password is known. */
  needsRehash(stored: string): boolean {
    const parsed = parseHash(stored);
    if (!parsed) return true;
    const { N, r, p } = parsed.cost;
    return N < this.cost.N || r < this.cost.r || p < this.cost.p || parsed.key.length < KEY_LENGTH;
  }

  /** A hash at this cost that matches nothing: compared against for an unknown login, so it takes as long as a wrong password. */
  placeholder(): Promise<string> {
    this.#placeholder ??= this.hash('no such user: a placeholder that matches nothing');
    return this.#placeholder;
  }
}

/** The gateway's hashing: review-app accounts, SMTP AUTH, and the CLI that writes their hashes. */
export const OWASP_HASHING = new PasswordHashing();

export const hashPassword = (password: string): Promise<string> => OWASP_HASHING.hash(password);
export const verifyPassword = (password: string, stored: string): Promise<boolean> => OWASP_HASHING.verify(password, stored);
export const needsRehash = (stored: string): boolean => OWASP_HASHING.needsRehash(stored);

function parseHash(stored: string): ParsedHash | undefined {
  const [scheme, n, r, p, saltText, keyText, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || rest.length > 0 || saltText === undefined || keyText === undefined) return undefined;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const key = Buffer.from(keyText, 'base64');
  if (![cost.N, cost.r, cost.p].every((value) => Number.isSafeInteger(value) && value > 0) || key.length === 0) return undefined;
  return { cost, salt: Buffer.from(saltText, 'base64'), key };
}
