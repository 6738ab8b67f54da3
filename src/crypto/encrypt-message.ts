import { readFile } from 'node:fs/promises';
import addressparser from 'nodemailer/lib/addressparser';
import type { PrivateKey, PublicKey } from 'openpgp';
import { EncryptionError } from './encryption-error.js';
import { fieldValue, headerBytes, pickFields, splitMessage, type HeaderField } from '../message/header-fields.js';
import { generatePassphrase, preAgreedPassphrase } from './passphrase.js';
import { buildEnvelopeEmail } from './envelope-email.js';
import { encryptWithPassphrase, type Argon2Parameters, type PassphraseKdf } from './password-envelope.js';
import { buildPgpMime } from './pgp-mime.js';
import { openKeyring } from './recipient-keys.js';
import { withoutEncryptionTag } from './subject-tag.js';
import { lookupWebKey, type WkdOptions } from './web-key-directory.js';

export { removeEncryptionTag } from './subject-tag.js';

export interface EncryptionInput {
  /** The original message: its bytes, or the path of the spooled `.eml`. */
  readonly raw: Buffer | string;
  /** The SMTP envelope: every `rcptTo` gets an encrypted form; `mailFrom` is who is told a generated passphrase. */
  readonly envelope: { readonly mailFrom: string; readonly rcptTo: readonly string[] };
  /** The data directory whose `keys/recipients/` holds the recipients' public keys. */
  readonly keyring: string;
  /** Passphrases agreed in advance with partner agencies, by exact address or by domain. */
  readonly preAgreed: Readonly<Record<string, string>>;
  /** The gateway's own unlocked private key; PGP/MIME output is signed with it when given. */
  readonly signingKey?: PrivateKey;
  readonly now: Date;
  /** The password envelope's KDF; default `argon2` (docs/encryption.md). */
  readonly kdf?: PassphraseKdf;
  readonly argon2?: Argon2Parameters;
  /**
   * Whether a passphrase may be generated for recipients with neither a key nor a pre-agreed passphrase:
   * true only when the caller can tell the sender (default true, and never for the null sender).
   */
  readonly canNotifySender?: boolean;
  /** Largest envelope payload also attached as `secure-message.asc`; default 10 MiB (see `envelope-email.ts`). */
  readonly separatePayloadLimitBytes?: number;
  /** Look up keyless recipients in their domain's Web Key Directory; absent (the default): never. */
  readonly webKeyDirectory?: WkdOptions;
}

export interface OutgoingMessage {
  /** The envelope recipients this message goes to. */
  readonly recipients: readonly string[];
  readonly raw: Buffer;
  readonly form: 'pgp-mime' | 'password-envelope';
}

/** A generated passphrase the sender must pass on, by phone or text, to these recipients. */
export interface PassphraseNotice {
  readonly passphrase: string;
  readonly recipients: readonly string[];
}

export interface EncryptedDelivery {
  readonly messages: readonly OutgoingMessage[];
  readonly passphrases: readonly PassphraseNotice[];
}

/**
 * Every recipient gets the form that fits them, and nobody gets the message in clear: PGP/MIME to a
 * usable key, else a password envelope under a pre-agreed passphrase, else under a generated one the
 * sender passes on. Any failure is an `EncryptionError` (451): there is no plaintext fallback.
 */
export async function encryptForRecipients(input: EncryptionInput): Promise<EncryptedDelivery> {
  try {
    return await encryptAll(input);
  } catch (error) {
    if (error instanceof EncryptionError) throw error;
    throw new EncryptionError(`encryption failed (${(error as Error).name}: ${(error as Error).message})`, { cause: error });
  }
}

async function encryptAll(input: EncryptionInput): Promise<EncryptedDelivery> {
  if (input.envelope.rcptTo.length === 0) throw new EncryptionError('no recipients to encrypt for');
  const original = typeof input.raw === 'string' ? await readFile(input.raw) : input.raw;
  const { fields, body } = splitMessage(original);
  const untagged = withoutEncryptionTag(fields);
  // Copied only when the subject changed: a large message is held once less.
  const prepared = untagged.every((field, index) => field === fields[index]) ? original : Buffer.concat([headerBytes(untagged), Buffer.from('\r\n'), body]);
  const plan = await planForms(input, fields);
  const messages: OutgoingMessage[] = [];
  for (const group of plan.keyed) {
    const raw = await buildPgpMime(prepared, { encryptionKeys: group.keys, signingKey: input.signingKey, now: input.now });
    messages.push({ recipients: group.recipients, raw, form: 'pgp-mime' });
  }
  for (const [passphrase, group] of plan.byPassphrase) {
    const armoredPayload = await encryptWithPassphrase(prepared, passphrase, { kdf: input.kdf, argon2: input.argon2, now: input.now });
    const raw = buildEnvelopeEmail(prepared, {
      armoredPayload,
      passphraseSource: group.generated ? 'generated' : 'pre-agreed',
      ...(input.separatePayloadLimitBytes === undefined ? {} : { separatePayloadLimitBytes: input.separatePayloadLimitBytes }),
    });
    messages.push({ recipients: group.recipients, raw, form: 'password-envelope' });
  }
  const passphrases = [...plan.byPassphrase].filter(([, group]) => group.generated).map(([passphrase, group]) => ({ passphrase, recipients: group.recipients }));
  return { messages, passphrases };
}

interface Plan {
  readonly keyed: { recipients: string[]; keys: PublicKey[] }[];
  readonly byPassphrase: Map<string, { recipients: string[]; generated: boolean }>;
}

/**
 * Recipients visible in To/Cc share one PGP/MIME message encrypted to all their keys; a blind-copied
 * recipient gets their own, because a message's key ids name everyone it is encrypted to.
 */
async function planForms(input: EncryptionInput, fields: readonly HeaderField[]): Promise<Plan> {
  const findKey = await openKeyring(input.keyring);
  const visible = visibleAddresses(fields);
  const shared = { recipients: [] as string[], keys: [] as PublicKey[] };
  const plan: Plan = { keyed: [], byPassphrase: new Map() };
  let generated: string | undefined;
  for (const recipient of input.envelope.rcptTo) {
    const key = (await findKey(recipient, input.now)) ?? (input.webKeyDirectory ? await lookupWebKey(recipient, input.now, input.webKeyDirectory) : undefined);
    if (key) {
      if (visible.has(recipient.toLowerCase())) {
        shared.recipients.push(recipient);
        shared.keys.push(key);
      } else plan.keyed.push({ recipients: [recipient], keys: [key] });
      continue;
    }
    const agreed = preAgreedPassphrase(input.preAgreed, recipient);
    if (agreed === undefined && (input.canNotifySender === false || input.envelope.mailFrom === '')) {
      throw new EncryptionError('a recipient has no usable key, no pre-agreed passphrase, and the sender cannot be told a passphrase');
    }
    const passphrase = agreed ?? (generated ??= generatePassphrase());
    const group = plan.byPassphrase.get(passphrase) ?? { recipients: [], generated: agreed === undefined };
    group.recipients.push(recipient);
    plan.byPassphrase.set(passphrase, group);
  }
  if (shared.recipients.length > 0) plan.keyed.unshift(shared);
  return plan;
}

function visibleAddresses(fields: readonly HeaderField[]): Set<string> {
  const addresses = new Set<string>();
  for (const field of pickFields(fields, ['To', 'Cc'])) {
    for (const entry of addressparser(fieldValue(field), { flatten: true })) {
      if (entry.address) addresses.add(entry.address.toLowerCase());
    }
  }
  return addresses;
}
