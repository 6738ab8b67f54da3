import { readFile } from 'node:fs/promises';
import addressparser from 'nodemailer/lib/addressparser';
import type { PrivateKey, PublicKey } from 'openpgp';
import { EncryptionError } from './encryption-error.js';
import { fieldValue, headerBytes, pickFields, splitMessage, type HeaderField } from '../message/header-fields.js';
import { generatePassphrase, preAgreedPassphrase } from './passphrase.js';
import { buildEnvelopeEmail, buildPdfEnvelopeEmail } from './envelope-email.js';
import { buildPdfEnvelope, PdfEnvelopeUnfaithful } from './pdf-envelope.js';
import { encryptWithPassphrase, type Argon2Parameters, type PassphraseKdf } from './password-envelope.js';
import { buildPgpMime } from './pgp-mime.js';
import { openKeyring } from './recipient-keys.js';
import { withoutEncryptionTag } from './subject-tag.js';
import { lookupWebKey, type WkdOptions } from './web-key-directory.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

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
  /** The form a recipient without a usable key gets; default `pdf` for everyone (docs/encryption.md). */
  readonly keylessForm?: (recipient: string) => KeylessForm;
  /**
   * Largest encrypted message handed on, in bytes as sent; a larger one is an `EncryptedTooLarge`.
   * Absent: no limit but the next hop's own.
   */
  readonly maxMessageBytes?: number;
}

/** `pdf`: the AES-256 PDF envelope; `html`: the self-decrypting web page. */
export type KeylessForm = 'pdf' | 'html';

export interface OutgoingMessage {
  /** The envelope recipients this message goes to. */
  readonly recipients: readonly string[];
  readonly raw: Buffer;
  /** `password-envelope` is the web page; `pdf-envelope` the encrypted PDF. */
  readonly form: 'pgp-mime' | 'password-envelope' | 'pdf-envelope';
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
 * usable key, else a password envelope (the encrypted PDF or the web page, as `keylessForm` says) under a
 * pre-agreed passphrase, else under a generated one the sender passes on. Any failure is an
 * `EncryptionError` (451), or `EncryptedTooLarge`: there is no plaintext fallback.
 */
export async function encryptForRecipients(input: EncryptionInput): Promise<EncryptedDelivery> {
  try {
    const delivery = await encryptAll(input);
    const largest = Math.max(...delivery.messages.map((message) => message.raw.length));
    if (input.maxMessageBytes !== undefined && largest > input.maxMessageBytes) throw new EncryptedTooLarge(largest, input.maxMessageBytes);
    return delivery;
  } catch (error) {
    if (error instanceof EncryptionError || error instanceof EncryptedTooLarge) throw error;
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
    const source = group.generated ? 'generated' : 'pre-agreed';
    const html = async () => {
      const armoredPayload = await encryptWithPassphrase(prepared, passphrase, { kdf: input.kdf, argon2: input.argon2, now: input.now });
      return buildEnvelopeEmail(prepared, {
        armoredPayload,
        passphraseSource: source,
        ...(input.separatePayloadLimitBytes === undefined ? {} : { separatePayloadLimitBytes: input.separatePayloadLimitBytes }),
      });
    };
    const pdf = group.byForm.get('pdf') ?? [];
    if (pdf.length > 0) {
      const raw = await pdfEnvelope(prepared, passphrase, source, input.now);
      // A message the PDF could not render whole goes as the web page, which carries it byte for byte.
      messages.push(raw ? { recipients: pdf, raw, form: 'pdf-envelope' } : { recipients: pdf, raw: await html(), form: 'password-envelope' });
    }
    const page = group.byForm.get('html') ?? [];
    if (page.length > 0) messages.push({ recipients: page, raw: await html(), form: 'password-envelope' });
  }
  const passphrases = [...plan.byPassphrase].filter(([, group]) => group.generated).map(([passphrase, group]) => ({ passphrase, recipients: group.recipients }));
  return { messages, passphrases };
}

async function pdfEnvelope(prepared: Buffer, passphrase: string, source: 'generated' | 'pre-agreed', now: Date): Promise<Buffer | undefined> {
  try {
    return buildPdfEnvelopeEmail(prepared, { pdf: await buildPdfEnvelope(prepared, { passphrase, now }), passphraseSource: source });
  } catch (error) {
    if (error instanceof PdfEnvelopeUnfaithful) return undefined;
    throw error;
  }
}

/**
 * The encrypted form of a message is larger than the next hop takes: the gateway holds the message for
 * review rather than hand on something that will bounce, or send it in clear.
 */
export class EncryptedTooLarge extends HallmonitorError {
  override readonly name = 'EncryptedTooLarge';
  readonly code = 'encrypted-too-large';
  readonly disposition = 'permanent';

  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`encrypted, the message would be ${megabytes(bytes)}: more than the ${megabytes(limit)} the next hop accepts`);
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

interface Plan {
  readonly keyed: { recipients: string[]; keys: PublicKey[] }[];
  /** Every keyless recipient under one passphrase, and which of them get which form. */
  readonly byPassphrase: Map<string, { recipients: string[]; generated: boolean; byForm: Map<KeylessForm, string[]> }>;
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
    const group = plan.byPassphrase.get(passphrase) ?? { recipients: [] as string[], generated: agreed === undefined, byForm: new Map<KeylessForm, string[]>() };
    group.recipients.push(recipient);
    const form = input.keylessForm?.(recipient) ?? 'pdf';
    group.byForm.set(form, [...(group.byForm.get(form) ?? []), recipient]);
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
