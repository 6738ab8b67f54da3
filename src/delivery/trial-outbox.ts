import { randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access, copyFile, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { DeliveryError } from './delivery-error.js';
import type { DeliveryResult, NextHop, Outbound } from './next-hop.js';

const WRITTEN: DeliveryResult = { reply: { code: 250, message: '2.0.0 written to the outbox (trial mode)' } };
const NOT_WRITTEN: DeliveryResult = { reply: { code: 451, message: '4.3.0 could not write to the outbox; try again later' } };
/** Spool ids become file names: nothing that could leave the directory. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Trial mode (docs/architecture.md, "hallmonitor serve"): what would have been delivered is written to DIRECTORY/<id>.eml, byte for
 * byte. The 250 is given only once the file is durable: written, fsynced and renamed into place.
 */
export function trialOutbox(directory: string): NextHop {
  return {
    description: `trial mode: outbox ${directory}`,
    async deliver(message, prepend) {
      try {
        await writeDurably(directory, message, prepend);
        return WRITTEN;
      } catch {
        return NOT_WRITTEN;
      }
    },
    async probe() {
      await mkdir(directory, { recursive: true, mode: 0o700 });
      await access(directory, constants.W_OK);
    },
    close: async () => undefined,
  };
}

async function writeDurably(directory: string, message: Outbound, prepend: Buffer | undefined): Promise<void> {
  if (!SAFE_ID.test(message.id)) throw new DeliveryError('outbox-id', 'the spool id is not a safe file name');
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const final = join(directory, `${message.id}.eml`);
  const temporary = join(directory, `.${message.id}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    if (message.bytes !== undefined) {
      await writeFile(temporary, prepend ? Buffer.concat([prepend, message.bytes]) : message.bytes, { mode: 0o600 });
    } else if (prepend && prepend.length > 0) {
      await writeFile(temporary, prepend, { mode: 0o600 });
      await pipeline(createReadStream(message.path), createWriteStream(temporary, { flags: 'a' }));
    } else {
      await copyFile(message.path, temporary);
    }
    await syncPath(temporary, 'r+');
    await rename(temporary, final);
    // The rename is durable only once the directory entry is on disk too.
    await syncPath(directory, 'r');
  } finally {
    await rm(temporary, { force: true });
  }
}

async function syncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
