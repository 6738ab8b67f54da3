import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a link in a sender's notice lets them do: send a returned message as it was, or ask for a held one's release. */
export const LINK_PURPOSES = ['returned', 'held'] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

/** A link's token as read, before it is checked against the message it names. */
export interface ParsedLink {
  readonly purpose: LinkPurpose;
  readonly messageId: string;
  readonly expiresAt: Date;
  readonly keyVersion: number;
  readonly mac: Buffer;
}

export type LinkCheck = 'valid' | 'invalid' | 'expired';

const TOKEN = /^v(\d{1,3})\.([rh])\.([0-9a-f]{32})\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/;
const PURPOSE_LETTER: Record<LinkPurpose, string> = { returned: 'r', held: 'h' };

/**
 * The signed links in senders' notices. A token names the message, the purpose and the expiry in clear and
 * carries an HMAC-SHA-256 over them and the sender's address, keyed with a key derived from the store key
 * (`BodyCipher.derive`), so nothing in Redis or the configuration can mint one and a link works for that sender's
 * message only. Single use is not the token's business: the store's conditional updates see to it.
 */
export class SenderLinks {
  /** `keyFor(version)`: the link key of a store key version, undefined when that version is not configured. */
  constructor(
    private readonly keyFor: (version: number) => Buffer | undefined,
    private readonly currentVersion: number,
  ) {}

  sign(purpose: LinkPurpose, messageId: string, sender: string, expiresAt: Date): string {
    const seconds = Math.floor(expiresAt.getTime() / 1000).toString(36);
    const key = this.keyFor(this.currentVersion);
    if (!key) throw new Error('the current store key has no link key');
    const mac = macOf(key, purpose, messageId, sender, seconds).toString('base64url');
    return `v${this.currentVersion}.${PURPOSE_LETTER[purpose]}.${messageId}.${seconds}.${mac}`;
  }

  /** The token's parts, or undefined when it is not one this gateway writes. */
  static parse(token: string): ParsedLink | undefined {
    const match = TOKEN.exec(token);
    if (!match) return undefined;
    const [, version, letter, messageId, seconds, mac] = match as unknown as [string, string, string, string, string, string];
    return {
      purpose: letter === 'r' ? 'returned' : 'held',
      messageId,
      expiresAt: new Date(parseInt(seconds, 36) * 1000),
      keyVersion: Number(version),
      mac: Buffer.from(mac, 'base64url'),
    };
  }

  /** Whether `link` was signed for this sender's message; a tampered link is `invalid` before it can be `expired`. */
  check(link: ParsedLink, sender: string, now: Date): LinkCheck {
    const key = this.keyFor(link.keyVersion);
    if (!key) return 'invalid';
    const expected = macOf(key, link.purpose, link.messageId, sender, Math.floor(link.expiresAt.getTime() / 1000).toString(36));
    if (link.mac.length !== expected.length || !timingSafeEqual(link.mac, expected)) return 'invalid';
    return link.expiresAt.getTime() > now.getTime() ? 'valid' : 'expired';
  }
}

function macOf(key: Buffer, purpose: LinkPurpose, messageId: string, sender: string, seconds: string): Buffer {
  return createHmac('sha256', key).update(['hallmonitor sender link v1', purpose, messageId, sender.toLowerCase(), seconds].join('\u0000')).digest();
}
