import { randomBytes } from 'node:crypto';
import { createMessage, encrypt, enums, type PrivateKey, type PublicKey } from 'openpgp';
import { armorMessage } from './armor.js';
import { fieldValue, headerBytes, pickFields, splitMessage, type HeaderField } from '../message/header-fields.js';

/** What a client without header protection shows instead of the real subject (RFC 9788 §4.1 allows any neutral text). */
export const PGP_MIME_SUBJECT = 'Encrypted message';

/**
 * The fields that stay visible outside: what transport and threading need. Bcc is dropped everywhere,
 * inside too, so one recipient's decrypted copy never shows who else was blind-copied.
 */
export const OUTER_FIELDS = ['From', 'Sender', 'To', 'Cc', 'Reply-To', 'Date', 'Message-ID', 'In-Reply-To', 'References', 'X-Hallmonitor-Trace'];

/** RFC 9788 §2.2: the header fields copied into the cryptographic payload, where they are protected. */
const PROTECTED_FIELDS = ['From', 'Sender', 'To', 'Cc', 'Reply-To', 'Date', 'Message-ID', 'In-Reply-To', 'References', 'Subject'];

export interface PgpMimeOptions {
  /** The recipients' public keys; one session key encrypted to each of them. */
  readonly encryptionKeys: readonly PublicKey[];
  /** The gateway's own unlocked private key: the payload is signed inside the encryption (RFC 3156 §6.2). */
  readonly signingKey?: PrivateKey;
  /** The time the signature carries and the keys are checked at. */
  readonly now: Date;
}

/**
 * RFC 3156 `multipart/encrypted` from the original message's bytes: the inner entity is the original
 * MIME body with its Content-* fields, under the original Subject, From, To and the rest as protected
 * headers (`protected-headers="v1"`); outside, only transport headers and a neutral subject.
 */
export async function buildPgpMime(raw: Buffer, options: PgpMimeOptions): Promise<Buffer> {
  const { fields, body } = splitMessage(raw);
  const inner = Buffer.concat([headerBytes(innerFields(fields)), Buffer.from('\r\n'), body]);
  const encrypted = await encrypt({
    message: await createMessage({ binary: inner }),
    encryptionKeys: [...options.encryptionKeys],
    ...(options.signingKey ? { signingKeys: options.signingKey } : {}),
    date: options.now,
    format: 'binary',
    // Used only when every recipient key lists zlib, as GnuPG's do; base64 attachments shrink by a quarter.
    config: { preferredCompressionAlgorithm: enums.compression.zlib },
  });
  const boundary = `hm-encrypted-${randomBytes(12).toString('hex')}`;
  const outer = [
    ...pickFields(fields, OUTER_FIELDS),
    field('Subject', PGP_MIME_SUBJECT),
    field('MIME-Version', '1.0'),
    field('Content-Type', `multipart/encrypted; protocol="application/pgp-encrypted"; boundary="${boundary}"`),
  ];
  const parts = [
    'This is an OpenPGP/MIME encrypted message (RFC 3156).',
    `--${boundary}`,
    'Content-Type: application/pgp-encrypted',
    'Content-Description: PGP/MIME version identification',
    '',
    'Version: 1',
    '',
    `--${boundary}`,
    'Content-Type: application/octet-stream; name="encrypted.asc"',
    'Content-Description: OpenPGP encrypted message',
    'Content-Disposition: inline; filename="encrypted.asc"',
    '',
    '',
  ];
  return Buffer.concat([headerBytes(outer), Buffer.from(`\r\n${parts.join('\r\n')}`, 'latin1'), armorMessage(encrypted), Buffer.from(`--${boundary}--\r\n`)]);
}

/** The protected headers, then the original Content-* fields with the `protected-headers="v1"` marker. */
function innerFields(fields: readonly HeaderField[]): HeaderField[] {
  const content = fields.filter((candidate) => candidate.name.toLowerCase().startsWith('content-'));
  const type = pickFields(content, ['Content-Type'])[0];
  const marked = field('Content-Type', `${type ? fieldValue(type) : 'text/plain; charset=us-ascii'}; protected-headers="v1"`);
  return [...pickFields(fields, PROTECTED_FIELDS), field('MIME-Version', '1.0'), marked, ...content.filter((candidate) => candidate !== type)];
}

function field(name: string, value: string): HeaderField {
  return { name, text: `${name}: ${value}` };
}
