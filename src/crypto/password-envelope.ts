import { createMessage, encrypt, enums, type PartialConfig } from 'openpgp';
import { armorMessage } from './armor.js';

/**
 * How the passphrase becomes the key (docs/encryption.md). `argon2`: RFC 9580 Argon2 S2K with
 * SEIPDv2 (AEAD, GCM), memory-hard; GnuPG 2.2 cannot open it. `iterated`: RFC 4880 iterated and
 * salted S2K at the largest count with SEIPDv1 (MDC), which every OpenPGP tool opens.
 */
export type PassphraseKdf = 'argon2' | 'iterated';

/** RFC 9106 §4 "second recommended option": t=3, p=4, m=64 MiB, openpgp's default. */
export interface Argon2Parameters {
  /** Passes over memory (t). */
  readonly passes: number;
  /** Lanes (p). */
  readonly parallelism: number;
  /** Memory as a power of two in KiB: 16 is 64 MiB. The browser that opens the envelope must afford it. */
  readonly memoryExponent: number;
}

export const DEFAULT_ARGON2: Argon2Parameters = { passes: 3, parallelism: 4, memoryExponent: 16 };

export interface PassphraseEncryptionOptions {
  /** Default `argon2`. */
  readonly kdf?: PassphraseKdf;
  /** Only for `argon2`; default `DEFAULT_ARGON2`. */
  readonly argon2?: Argon2Parameters;
  readonly now: Date;
}

/**
 * The whole message encrypted under one passphrase, armored (CRLF lines). One passphrase, one KDF, one SKESK packet: a second, weaker wrapping of the same session key
 * would let an attacker take the cheaper road, so a message never carries two.
 */
export async function encryptWithPassphrase(raw: Buffer, passphrase: string, options: PassphraseEncryptionOptions): Promise<Buffer> {
  const encrypted = await encrypt({
    message: await createMessage({ binary: raw, filename: 'secure-message.eml', date: options.now }),
    passwords: [passphrase],
    date: options.now,
    format: 'binary',
    config: kdfConfig(options),
  });
  return armorMessage(encrypted);
}

function kdfConfig(options: PassphraseEncryptionOptions): PartialConfig {
  // A message's base64 attachments deflate back to about their binary size: a quarter less to send.
  const compression = { preferredCompressionAlgorithm: enums.compression.zlib };
  if (options.kdf === 'iterated') {
    // 255 codes 65,011,712 bytes hashed: RFC 4880 §3.7.1.3's largest count.
    return { ...compression, s2kType: enums.s2k.iterated, s2kIterationCountByte: 255, aeadProtect: false };
  }
  return {
    ...compression,
    s2kType: enums.s2k.argon2,
    s2kArgon2Params: { ...(options.argon2 ?? DEFAULT_ARGON2) },
    aeadProtect: true,
    // GCM, not OCB (RFC 9580's mandatory mode): browsers and Node run AES-GCM natively, while
    // openpgp.js does OCB in JavaScript at about 1.6 MB/s: 20 s to open a 25 MB attachment.
    preferredAEADAlgorithm: enums.aead.gcm,
  };
}
