import { scrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, MAX_SCRYPT_MEMORY, needsRehash, PASSWORD_COST, verifyPassword } from '../../src/smtp/password-hash.js';

/** A hash as an older release wrote it: scrypt at N=2^14, the cost before OWASP's current minimum. */
function legacyHash(password: string): Promise<string> {
  const salt = Buffer.from('invented salt 16');
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 32, { N: 16384, r: 8, p: 1 }, (error, key) =>
      error ? reject(error) : resolve(['scrypt', 16384, 8, 1, salt.toString('base64'), key.toString('base64')].join('$')),
    ),
  );
}

describe('password hashes', () => {
  it("hash at OWASP's current minimum for scrypt (N=2^17, r=8, p=1), the cost written in the hash, a fresh salt each time", async () => {
    expect(PASSWORD_COST).toEqual({ N: 131072, r: 8, p: 1 });
    const first = await hashPassword('correct horse');
    const second = await hashPassword('correct horse');
    expect(first).not.toBe(second);
    expect(first.startsWith('scrypt$131072$8$1$')).toBe(true);
    expect(await verifyPassword('correct horse', first)).toBe(true);
    expect(await verifyPassword('correct horse', second)).toBe(true);
    expect(await verifyPassword('wrong horse', first)).toBe(false);
    expect(needsRehash(first)).toBe(false);
  });

  it('still verify a hash at an older cost, and say it needs replacing', async () => {
    const old = await legacyHash('correct horse');
    expect(await verifyPassword('correct horse', old)).toBe(true);
    expect(await verifyPassword('wrong horse', old)).toBe(false);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash('not a hash')).toBe(true);
  });

  it('never match a malformed hash, nor one asking for more memory than the bound, and allocate nothing for it', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$abc$8$1$AAAA$AAAA')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$16384$8$1$AAAA$AAAA')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$0$8$1$AAAA$AAAA')).toBe(false);
    // 2^24 · 8 · 128 bytes = 16 GiB: refused by the bound before any memory is taken.
    expect(128 * 2 ** 24 * 8).toBeGreaterThan(MAX_SCRYPT_MEMORY);
    const before = process.memoryUsage().rss;
    const started = performance.now();
    expect(await verifyPassword('x', `scrypt$${2 ** 24}$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
  });
});
