import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { KEY_BYTES } from './body-cipher.js';
import { StoreError } from './errors.js';

/** Where the key lives when the configuration gives none: beside the data it protects, readable by the gateway's user only. */
export function quarantineKeyPath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'quarantine.key');
}

/** A configured key: 32 raw bytes, or their base64 or hex spelling. */
export function parseQuarantineKey(key: Buffer | string): Buffer {
  if (Buffer.isBuffer(key)) {
    if (key.length === KEY_BYTES) return key;
    throw new StoreError('key-invalid', `the quarantine key must be ${KEY_BYTES} bytes, not ${key.length}`);
  }
  const text = key.trim();
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  throw new StoreError('key-invalid', `the quarantine key must be ${KEY_BYTES} bytes written as base64 or hex`);
}

/**
 * The key file's key, creating it at first start: mode 0600 in a 0700 folder. An existing file that
 * the group or others may read is refused, since whoever reads it reads every quarantined message.
 */
export async function loadOrCreateKeyFile(dataDir: string): Promise<Buffer> {
  const file = quarantineKeyPath(dataDir);
  const existing = await readKeyFile(file);
  if (existing) return existing;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await chmod(path.dirname(file), 0o700);
  // Written whole under a temporary name, then linked: link() fails if another process won the
  // race, and nobody ever reads a half-written key.
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(`${randomBytes(KEY_BYTES).toString('base64')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  await syncDirectory(path.dirname(file));
  const created = await readKeyFile(file);
  if (!created) throw new StoreError('key-file-unsafe', `${file} vanished while it was being created`);
  return created;
}

async function readKeyFile(file: string): Promise<Buffer | undefined> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    throw new StoreError('key-file-unsafe', `${file} has mode ${octal}: the group or others may read the quarantine key; run "chmod 600 ${file}" and restart`);
  }
  try {
    return parseQuarantineKey(await readFile(file, 'utf8'));
  } catch (error) {
    throw new StoreError('key-file-unsafe', `${file} does not hold a ${KEY_BYTES}-byte base64 key`, { cause: error });
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
