import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armorMessage } from '../../src/crypto/armor.js';
import { GpgHome } from './support/gpg.js';

let gpg: GpgHome;

beforeAll(async () => {
  gpg = await GpgHome.create();
});

afterAll(async () => {
  await gpg.remove();
});

describe('armorMessage', () => {
  // Every remainder mod 3 and the line and chunk edges: padding or none, a short last line or a full one.
  it.each([1, 2, 3, 47, 48, 49, 50, 48 * 1024, 48 * 1024 + 1, 100_000])('%i bytes: GnuPG reads back exactly the input, CRC checked', async (size) => {
    const binary = randomBytes(size);
    const armored = armorMessage(binary);
    expect(armored.toString('latin1')).toMatch(/^-----BEGIN PGP MESSAGE-----\r\n\r\n([A-Za-z0-9+/=]{1,64}\r\n)+=[A-Za-z0-9+/]{4}\r\n-----END PGP MESSAGE-----\r\n$/);
    const result = await gpg.gpg(['--dearmor'], armored);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.equals(binary)).toBe(true);
  });

  it('GnuPG notices a damaged payload by its checksum', async () => {
    const armored = armorMessage(randomBytes(300));
    const damaged = Buffer.from(
      armored.toString('latin1').replace(/\r\n\r\n(.)/, (match, char: string) => `\r\n\r\n${char === 'A' ? 'B' : 'A'}`),
      'latin1',
    );
    const result = await gpg.gpg(['--dearmor'], damaged);
    expect(result.stderr).toContain('CRC error');
  });
});
