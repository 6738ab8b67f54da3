import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The newest entry this gateway has seen committed: its place in the chain, its link, and how links were made. */
export interface AnchoredHead {
  /** The entry's seq: entries written since the chain began. */
  readonly seq: number;
  /** Its link (keyed, for a keyed chain). */
  readonly hash: string;
  /** The chain's scheme when it was anchored (`hmac-sha256:v1`, `sha256`): a re-keyed chain keeps its seqs, not its hashes. */
  readonly scheme: string;
}

/** Beside the quarantine key, in the folder only the gateway's user may read. */
export function auditAnchorFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'audit-head.json');
}

/**
 * The audit chain's head, kept outside the database. The chain's links show an altered or removed entry, but not
 * its end: whoever can write to the database can delete the newest entries and set the head row back, leaving a
 * shorter chain that verifies. This file remembers the furthest the chain was seen to reach, so `verify` reports
 * such a truncation. It only moves forward, and only to a head that still holds the anchored entry unchanged,
 * so a truncated chain that grew again is never taken as the new truth.
 */
export class AuditAnchor {
  constructor(readonly file: string) {}

  async read(): Promise<AnchoredHead | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = JSON.parse(text) as Partial<AnchoredHead>;
    if (!Number.isSafeInteger(parsed.seq) || typeof parsed.hash !== 'string' || typeof parsed.scheme !== 'string') {
      throw new Error(`${this.file} is not an audit anchor`);
    }
    return { seq: parsed.seq!, hash: parsed.hash, scheme: parsed.scheme };
  }

  /** Written whole or not at all (a new file renamed over the old), so a crash never leaves half an anchor. */
  async write(head: AnchoredHead): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const partial = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(partial, `${JSON.stringify(head)}\n`, { mode: 0o600 });
      await rename(partial, this.file);
    } catch (error) {
      await unlink(partial).catch(() => undefined);
      throw error;
    }
  }
}
