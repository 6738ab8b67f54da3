import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RedisAddress } from './redis-connections.js';
import { HallmonitorError } from '../errors/hallmonitor-error.js';

/**
 * What a job carries in Redis: its data encrypted (AES-256-GCM), then signed (HMAC-SHA-256) over the queue,
 * the job's name and id and the ciphertext. Both keys come from the store's key, which is never in Redis, so
 * whoever can write to Redis can neither read a job (a notice's text, a passphrase) nor make one a worker accepts.
 */
export interface SealedJobData {
  readonly v: 1;
  /** base64url: nonce (12) ‖ ciphertext ‖ tag (16). */
  readonly box: string;
  /** base64url HMAC-SHA-256 of the job's place and `box`. */
  readonly mac: string;
}

/** Where a job sits: its data is bound to it, so data copied onto another job, name or queue does not verify. */
export interface JobPlace {
  readonly queue: string;
  readonly name: string;
  readonly id: string;
}

/** Why a job was refused; a stable code for the log and the metric, never the job's content. */
export class JobRefused extends HallmonitorError {
  /** A refused job is never retried: it would be refused again. */
  readonly disposition = 'permanent';

  constructor(readonly code: 'job-unsigned' | 'job-forged' | 'job-unreadable' | 'job-stale') {
    super(code);
    this.name = 'JobRefused';
  }
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Jobs are retried for about an hour (8 tries); a sealed job older than this is a replay, not a retry. */
export const MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export class JobSeal {
  readonly #macKey: Buffer;
  readonly #encryptionKey: Buffer;

  /** `storeKey` is the quarantine key (32 bytes); RFC 5869 HKDF gives each use its own key. */
  constructor(storeKey: Buffer) {
    if (storeKey.length < 32) throw new Error('the job seal needs a 32-byte key');
    this.#macKey = Buffer.from(hkdfSync('sha256', storeKey, 'hallmonitor', 'queue job mac v1', 32));
    this.#encryptionKey = Buffer.from(hkdfSync('sha256', storeKey, 'hallmonitor', 'queue job encryption v1', 32));
  }

  seal(place: JobPlace, data: unknown, now: Date = new Date()): SealedJobData {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#encryptionKey, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(placeText(place)));
    const plain = Buffer.from(JSON.stringify({ at: now.getTime(), data }), 'utf8');
    const box = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]).toString('base64url');
    return { v: 1, box, mac: this.#mac(place, box) };
  }

  /**
   * The data sealed for `place`; throws `JobRefused` for anything this deployment did not seal there, or sealed
   * longer than `maxAgeMs` ago (a scheduler's template, sealed once at start and used at every run, passes Infinity).
   */
  open(place: JobPlace, sealed: unknown, { now = new Date(), maxAgeMs = MAX_AGE_MS }: { now?: Date; maxAgeMs?: number } = {}): unknown {
    if (!isSealed(sealed)) throw new JobRefused('job-unsigned');
    const expected = Buffer.from(this.#mac(place, sealed.box));
    const given = Buffer.from(sealed.mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new JobRefused('job-forged');
    const opened = this.#decrypt(place, Buffer.from(sealed.box, 'base64url'));
    if (Math.abs(now.getTime() - opened.at) > maxAgeMs) throw new JobRefused('job-stale');
    return opened.data;
  }

  #decrypt(place: JobPlace, box: Buffer): { at: number; data: unknown } {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#encryptionKey, box.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(placeText(place)));
      decipher.setAuthTag(box.subarray(box.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(box.subarray(NONCE_BYTES, box.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as { at: number; data: unknown };
    } catch {
      throw new JobRefused('job-unreadable');
    }
  }

  #mac(place: JobPlace, box: string): string {
    return createHmac('sha256', this.#macKey)
      .update(`v1\u0000${placeText(place)}\u0000${box}`)
      .digest('base64url');
  }
}

/** NUL cannot occur in a queue name, job name or job id as BullMQ stores them, so the parts never run together. */
function placeText(place: JobPlace): string {
  return `${place.queue}\u0000${place.name}\u0000${place.id}`;
}

function isSealed(value: unknown): value is SealedJobData {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return candidate.v === 1 && typeof candidate.box === 'string' && typeof candidate.mac === 'string';
}

/** How every producer and worker reaches the queues: where Redis is, and the seal its jobs carry. */
export interface QueueConnection extends RedisAddress {
  readonly seal: JobSeal;
}

/** `redis` is a URL, or an address with its TLS material (`redisAddress`). */
export function queueConnection(redis: string | RedisAddress, storeKey: Buffer): QueueConnection {
  return { ...(typeof redis === 'string' ? { url: redis } : redis), seal: new JobSeal(storeKey) };
}
