import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';

/**
 * Cookie names and the CSRF tokens bound to them. Over HTTPS the names carry the `__Host-` prefix, which
 * browsers accept only with Secure, Path=/ and no Domain: a sibling host cannot plant or overwrite them.
 * Browsers refuse `__Host-` cookies without Secure, so over plain HTTP (localhost, tests) the names lose
 * the prefix: `hm_session` and `hm_signin`.
 */
export class SessionCookies {
  readonly session: string;
  readonly signIn: string;
  /** Holds the secret that a Microsoft Entra ID sign-in's state, nonce and PKCE verifier come from (entra-sign-in.ts). */
  readonly entraFlow: string;

  constructor(readonly secure: boolean) {
    const prefix = secure ? '__Host-' : '';
    this.session = `${prefix}hm_session`;
    this.signIn = `${prefix}hm_signin`;
    this.entraFlow = `${prefix}hm_entra`;
  }

  /** HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Path=/. */
  options(): CookieSerializeOptions {
    return { path: '/', httpOnly: true, sameSite: 'strict', secure: this.secure };
  }

  /**
   * The session cookie's options: it lives as long as the session, said as Max-Age (a lifetime in seconds) and
   * not as an Expires date, so a browser whose clock differs from the server's keeps it exactly as long
   * (RFC 6265 §4.1.2.2: Max-Age wins over Expires). The server's own end of the session is the one that counts.
   */
  sessionOptions(session: { readonly startedAt: Date; readonly expiresAt: Date }): CookieSerializeOptions {
    return { ...this.options(), maxAge: Math.max(0, Math.floor((session.expiresAt.getTime() - session.startedAt.getTime()) / 1000)) };
  }

  /**
   * For the Entra ID flow cookie: SameSite=Lax, because it must come back on the identity provider's redirect
   * to the callback, a top-level navigation from another site that Strict cookies are withheld from; it lives
   * ten minutes and is cleared at the callback, whatever the outcome.
   */
  flowOptions(): CookieSerializeOptions {
    return { ...this.options(), sameSite: 'lax', maxAge: 600 };
  }

  /** A fresh random value for the sign-in cookie, which the sign-in form's token is bound to. */
  static newSignInValue(): string {
    return randomBytes(32).toString('base64url');
  }
}

/** `sender-link`: the sender's page has no session; its form token is bound to the link's token instead. */
export type CsrfPurpose = 'session' | 'sign-in' | 'sender-link';

/**
 * The form token for a cookie value: an HMAC keyed with the cookie's secret, so only a page that was served
 * to the holder of the cookie can carry it (a session-bound synchronizer token; it needs no server-side state,
 * so it works across several gateway processes).
 */
export function csrfToken(cookieValue: string, purpose: CsrfPurpose): string {
  return createHmac('sha256', cookieValue).update(`hallmonitor csrf ${purpose}`).digest('base64url');
}

export function csrfTokenMatches(cookieValue: string | undefined, purpose: CsrfPurpose, presented: unknown): boolean {
  if (!cookieValue || typeof presented !== 'string') return false;
  const expected = Buffer.from(csrfToken(cookieValue, purpose));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
