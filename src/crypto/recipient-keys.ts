import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readKeys, type Key, type PublicKey } from 'openpgp';
import { KeyError } from './key-error.js';

/** What the keyring says about one recipient key; never the key material itself. */
export interface KeySummary {
  /** The primary key's fingerprint, upper-case hex: the key's file name and its id on the command line. */
  readonly fingerprint: string;
  /** The email addresses of its user ids, lower-case: mail to these addresses is PGP/MIME-encrypted. */
  readonly emails: readonly string[];
  /** When the key stops being usable, or null when it never expires. */
  readonly expires: Date | null;
}

/** `<dataDir>/keys/recipients/`: one armored public key per primary-key fingerprint. */
export function recipientKeyDirectory(dataDir: string): string {
  return join(dataDir, 'keys', 'recipients');
}

/**
 * Reads every key in `armoredText` and stores each as its own file, or stores none: a file with one
 * expired, revoked or unusable key is refused as a whole so the administrator sees the problem at once.
 * Secret keys are reduced to their public part before they touch the disk.
 */
export async function importKeys(dataDir: string, armoredText: string, now: Date): Promise<KeySummary[]> {
  const keys = await parseKeys(armoredText);
  const summaries: KeySummary[] = [];
  for (const key of keys) summaries.push(await assertUsable(key, now));
  const directory = recipientKeyDirectory(dataDir);
  await mkdir(directory, { recursive: true });
  for (const key of keys) await writeAtomically(join(directory, `${fingerprintOf(key)}.asc`), key.toPublic().armor());
  return summaries;
}

/** Every stored key with its current state; keys that expired since import are listed too (see `expires`). */
export async function listKeys(dataDir: string): Promise<KeySummary[]> {
  const keys = await loadKeyring(dataDir);
  const summaries: KeySummary[] = [];
  for (const key of keys) summaries.push({ fingerprint: fingerprintOf(key), emails: emailsOf(key), expires: await expiryOf(key) });
  return summaries;
}

/** Removes the key with this fingerprint, or every key with this email address; returns what was removed. */
export async function removeKey(dataDir: string, fingerprintOrEmail: string): Promise<KeySummary[]> {
  const wanted = fingerprintOrEmail.includes('@') ? fingerprintOrEmail.toLowerCase() : normaliseFingerprint(fingerprintOrEmail);
  const removed = (await listKeys(dataDir)).filter((key) => key.fingerprint === wanted || key.emails.includes(wanted));
  if (removed.length === 0) throw new KeyError('key-not-found', `no recipient key for ${fingerprintOrEmail}`);
  for (const key of removed) await rm(join(recipientKeyDirectory(dataDir), `${key.fingerprint}.asc`), { force: true });
  return removed;
}

/**
 * The key to encrypt to for one recipient address, checked again at `now` because keys expire and
 * are revoked after import; undefined when there is none usable (the recipient gets a password envelope).
 * Of several usable keys for one address, the most recently created wins.
 */
export async function findEncryptionKey(dataDir: string, recipientAddress: string, now: Date): Promise<PublicKey | undefined> {
  return usableKeyFor(await loadKeyring(dataDir), recipientAddress, now);
}

/** The keyring read once, for looking up several recipients of one message. */
export async function openKeyring(dataDir: string): Promise<(recipientAddress: string, now: Date) => Promise<PublicKey | undefined>> {
  const keys = await loadKeyring(dataDir);
  return (recipientAddress, now) => usableKeyFor(keys, recipientAddress, now);
}

async function usableKeyFor(keys: readonly PublicKey[], recipientAddress: string, now: Date): Promise<PublicKey | undefined> {
  const address = recipientAddress.toLowerCase();
  const candidates = keys.filter((key) => emailsOf(key).includes(address));
  candidates.sort((a, b) => b.getCreationTime().getTime() - a.getCreationTime().getTime());
  for (const key of candidates) {
    if (await isUsable(key, now)) return key;
  }
  return undefined;
}

/** Each armored block on its own: `gpg --export` of several keys makes one block, files joined by hand make several. */
async function parseKeys(armoredText: string): Promise<Key[]> {
  const blocks = armoredText.match(ARMORED_KEY_BLOCK) ?? [];
  if (blocks.length === 0) throw new KeyError('key-unreadable', 'the file holds no armored OpenPGP key block');
  const keys: Key[] = [];
  for (const block of blocks) {
    try {
      keys.push(...(await readKeys({ armoredKeys: block })));
    } catch (error) {
      throw new KeyError('key-unreadable', `not a readable OpenPGP key (${(error as Error).message})`, { cause: error });
    }
  }
  return keys;
}

const ARMORED_KEY_BLOCK = /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;

async function assertUsable(key: Key, now: Date): Promise<KeySummary> {
  const summary = { fingerprint: fingerprintOf(key), emails: emailsOf(key), expires: await expiryOf(key) };
  const who = `key ${summary.fingerprint}${summary.emails.length > 0 ? ` (${summary.emails.join(', ')})` : ''}`;
  if (await key.isRevoked(undefined, undefined, now)) throw new KeyError('key-revoked', `${who} has been revoked`);
  if (summary.emails.length === 0) throw new KeyError('key-unusable', `${who} has no user id with an email address`);
  if (await isUsable(key, now)) return summary;
  // A null date makes openpgp skip its expiry checks: usable then means expired now.
  if (await isUsable(key, null)) throw new KeyError('key-expired', `${who} has expired`);
  if (await hasNoValidUser(key, now)) throw new KeyError('key-revoked', `${who} has no valid user id (revoked or unsigned)`);
  throw new KeyError('key-unusable', `${who} has no usable encryption subkey`);
}

async function isUsable(key: Key, date: Date | null): Promise<boolean> {
  try {
    await key.getEncryptionKey(undefined, date);
    return true;
  } catch {
    return false;
  }
}

async function hasNoValidUser(key: Key, now: Date): Promise<boolean> {
  try {
    await key.getPrimaryUser(now);
    return false;
  } catch {
    return true;
  }
}

async function expiryOf(key: Key): Promise<Date | null> {
  try {
    const expiry = await key.getExpirationTime();
    return expiry instanceof Date ? expiry : null;
  } catch {
    return null;
  }
}

function emailsOf(key: Key): string[] {
  const emails = key.users.map((user) => user.userID?.email?.toLowerCase()).filter((email): email is string => Boolean(email));
  return [...new Set(emails)];
}

function fingerprintOf(key: Key): string {
  return normaliseFingerprint(key.getFingerprint());
}

function normaliseFingerprint(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase();
}

async function loadKeyring(dataDir: string): Promise<PublicKey[]> {
  const directory = recipientKeyDirectory(dataDir);
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => name.endsWith('.asc')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const keys: PublicKey[] = [];
  for (const name of names) {
    const stored = await readKeys({ armoredKeys: await readFile(join(directory, name), 'utf8') });
    keys.push(...stored.map((key) => key.toPublic()));
  }
  return keys;
}

/** Write then rename, so a reader never sees half a key (rename is atomic within one file system). */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, text, { mode: 0o644 });
  await rename(temporary, path);
}
